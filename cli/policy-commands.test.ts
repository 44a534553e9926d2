import { describe, expect, it } from "vitest";
import { formatExplanation, formatVerdict } from "./policy-commands";

type Verdict = Parameters<typeof formatVerdict>[0];

describe("formatExplanation", () => {
  it("puts the summary first, then each section's can, cannot and notes, in that order", () => {
    const text = formatExplanation({
      summary: "coder works in its workspace with a restricted network.",
      sections: [
        {
          title: "Files",
          can: ["read and write /workspace"],
          cannot: ["see your home", "write outside its volumes"],
          warnings: [],
        },
        {
          title: "Network",
          can: [],
          cannot: ["reach hosts off the allowlist"],
          warnings: ["npm is allowed"],
        },
      ],
    });
    expect(text.split("\n")).toEqual([
      "coder works in its workspace with a restricted network.",
      "",
      "Files:",
      "  can     read and write /workspace",
      "  cannot  see your home",
      "  cannot  write outside its volumes",
      "Network:",
      "  cannot  reach hosts off the allowlist",
      "  NOTE    npm is allowed",
    ]);
  });

  it("is the summary alone when there are no sections", () => {
    expect(formatExplanation({ summary: "nothing to say", sections: [] })).toBe("nothing to say\n");
  });
});

describe("formatVerdict", () => {
  it("says ok with the lock's time", () => {
    const verdict: Verdict = {
      agent: "coder",
      state: "ok",
      findings: [],
      lockedAt: "2026-05-01T12:00:00.000Z",
    };
    expect(formatVerdict(verdict)).toBe(
      "ok: coder's policy matches its signed lock (locked 2026-05-01T12:00:00.000Z)",
    );
  });

  it("names the drift in capitals and lists every finding", () => {
    const verdict: Verdict = {
      agent: "coder",
      state: "artifact_tamper",
      findings: [
        { state: "artifact_tamper", message: "openclaw.json differs from the lock" },
        { state: "image_drift", message: "the image digest changed" },
      ],
    };
    expect(formatVerdict(verdict).split("\n")).toEqual([
      "ARTIFACT_TAMPER: coder",
      "  openclaw.json differs from the lock",
      "  the image digest changed",
    ]);
  });
});
