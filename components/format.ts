/** Byte counts as people read them: "512 B", "3.4 KiB", "210 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Memory limits and image sizes: whole MiB. */
export const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2).toLocaleString()} MiB`;
