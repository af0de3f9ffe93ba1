/** The room every socket of a uid joins; deliveries go to it, whichever instance holds the sockets. */
export const userRoom = (uid: string) => `uid:${uid}`;
