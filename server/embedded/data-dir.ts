import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Thrown inside the child; its `code` travels to the parent over IPC. */
export class DataDirProblem extends Error {
  constructor(
    readonly code: "embedded_data_dir_unusable" | "embedded_data_dir_locked",
    message: string,
  ) {
    super(message);
  }
}

/** True when `dir` holds an initialised cluster (PGlite resumes instead of running initdb). */
export function isInitialised(dir: string): boolean {
  return existsSync(join(dir, "PG_VERSION"));
}

/**
 * Creates `dir` if needed and refuses anything PGlite should not write into: a file, an unwritable
 * place, or a non-empty directory that is not a PostgreSQL cluster (PGlite would run initdb over it).
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new DataDirProblem("embedded_data_dir_unusable", `cannot create ${dir}: ${reason(err)}`);
  }
  if (!statSync(dir).isDirectory()) {
    throw new DataDirProblem("embedded_data_dir_unusable", `${dir} exists and is not a directory`);
  }
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, "w"));
    unlinkSync(probe);
  } catch (err) {
    throw new DataDirProblem("embedded_data_dir_unusable", `${dir} is not writable: ${reason(err)}`);
  }
  if (!isInitialised(dir) && readdirSync(dir).length > 0) {
    throw new DataDirProblem(
      "embedded_data_dir_unusable",
      `${dir} is not empty but holds no PostgreSQL data (no PG_VERSION); point EMBEDDED_PG_DIR at an empty or embedded-database directory`,
    );
  }
}

/**
 * PGlite has no postmaster.pid, and two processes on one directory corrupt it, so a sibling
 * `<dir>.lock` holds the owner's pid. A lock left by a dead process is taken over.
 * Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const lockPath = join(dirname(dir), `${basename(dir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockPath, "utf8").trim() === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new DataDirProblem("embedded_data_dir_unusable", `cannot create ${lockPath}: ${reason(err)}`);
      }
    }
    const owner = Number.parseInt(readFileSafe(lockPath), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new DataDirProblem(
        "embedded_data_dir_locked",
        `${dir} is in use by another embedded PostgreSQL (pid ${owner}); stop it or set EMBEDDED_PG_DIR to another directory`,
      );
    }
    try {
      unlinkSync(lockPath);
    } catch {
      // raced with another starter; the next attempt decides
    }
  }
  throw new DataDirProblem("embedded_data_dir_locked", `could not lock ${dir} (${lockPath})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

const ERRNO_TEXT: Record<string, string> = {
  EEXIST: "a file (not a directory) has that name",
  ENOTDIR: "part of the path is a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  ENOENT: "no such file or directory",
};

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e.code ? ERRNO_TEXT[e.code] : undefined;
  return text ? `${text} (${e.code})` : String(e?.message ?? err);
}
