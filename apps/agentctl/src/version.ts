/** The client version (kept equal to package.json by a unit test; the release checks it against the tag). */
export const CLIENT_VERSION = '0.1.0';
