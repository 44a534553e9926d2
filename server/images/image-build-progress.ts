/** One progress report of an image build, for logs now and the UI later. */
export type ImageBuildEvent = {
  /** Coarse phase, e.g. "debootstrap", "import base", "download debs", "build", "done". */
  step: string;
  /** One line of the tool's own output, when there is one. */
  line?: string;
  /** 0–100 when the phase knows how far it is. */
  percent?: number;
};

export type ImageBuildProgress = (event: ImageBuildEvent) => void;

/** Pure: how far `podman build` is, from a `STEP n/m: …` line; undefined for other lines. */
export function percentOfBuildLine(line: string): number | undefined {
  const match = /^STEP (\d+)\/(\d+):/.exec(line);
  if (!match) return undefined;
  const step = Number(match[1]);
  const total = Number(match[2]);
  if (!(total > 0) || step < 1 || step > total) return undefined;
  return Math.round(((step - 1) / total) * 100);
}
