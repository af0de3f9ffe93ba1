/** Re-renders the HTML report of a saved result: `npx tsx loadtest/render-report.ts <result.json>…` */
import { readFile } from "node:fs/promises";
import type { LoadTestResult } from "./report-json.ts";
import { writeHtmlReport } from "./report-html.ts";

for (const file of process.argv.slice(2)) {
  const result = JSON.parse(await readFile(file, "utf8")) as LoadTestResult;
  const html = file.replace(/\.json$/, "") + ".html";
  await writeHtmlReport(html, result);
  console.log(html);
}
