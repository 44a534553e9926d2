/** JSON for scripts with --json, text for people otherwise. */
export function print(options: { json: boolean }, json: unknown, text: string) {
  console.log(options.json ? JSON.stringify(json, null, 2) : text);
}
