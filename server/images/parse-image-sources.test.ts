import { describe, expect, it } from "vitest";
import { parseAptSources, pickDebianMirror } from "./debian-mirror";
import { parseAptCandidates, parseAptSimulation } from "./fetch-debs";
import { percentOfBuildLine } from "./image-build-progress";
import { selectClawImages } from "./list-images";

describe("Debian mirror from apt sources", () => {
  const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
`;

  it("reads deb822 paragraphs and picks the one serving the exact suite", () => {
    const sources = parseAptSources(deb822);
    expect(sources).toHaveLength(2);
    expect(pickDebianMirror(sources, "bookworm")).toBe("http://deb.debian.org/debian");
    expect(pickDebianMirror(sources, "trixie")).toBeUndefined();
  });

  it("reads one-line sources with options and skips non-http and other components", () => {
    const sources = parseAptSources(
      [
        "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main",
        "deb [arch=amd64] http://mirror.example/debian bookworm contrib",
        "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main # comment",
      ].join("\n"),
    );
    expect(pickDebianMirror(sources, "bookworm")).toBe("http://mirror.example/debian");
  });
});

describe("parseAptCandidates", () => {
  it("maps packages to candidate versions and skips (none)", () => {
    const text = `tini:
  Installed: (none)
  Candidate: 0.19.0-1+b3
  Version table:
     0.19.0-1+b3 500
libssl3:
  Installed: 3.0.19-1~deb12u2
  Candidate: 3.0.22-1~deb12u2
nothing:
  Installed: (none)
  Candidate: (none)
`;
    expect(parseAptCandidates(text)).toEqual({ tini: "0.19.0-1+b3", libssl3: "3.0.22-1~deb12u2" });
  });
});

describe("parseAptSimulation", () => {
  it("takes the version of every package apt would install, upgrades included", () => {
    const text = `NOTE: This is only a simulation!
The following NEW packages will be installed:
  git tini
Inst perl-base [5.36.0-7+deb12u3] (5.36.0-7+deb12u4 Debian-Security:12/oldstable-security [amd64])
Conf perl-base (5.36.0-7+deb12u4 Debian-Security:12/oldstable-security [amd64])
Inst libkrb5-3 (1.20.1-2+deb12u5 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Inst git (1:2.39.5-0+deb12u3 Debian:12.15/oldstable [amd64])
Inst tini (0.19.0-1+b3 Debian:12.15/oldstable [amd64])
`;
    expect(parseAptSimulation(text)).toEqual({
      "perl-base": "5.36.0-7+deb12u4",
      "libkrb5-3": "1.20.1-2+deb12u5",
      git: "1:2.39.5-0+deb12u3",
      tini: "0.19.0-1+b3",
    });
    expect(parseAptSimulation("0 upgraded, 0 newly installed, 0 to remove\n")).toEqual({});
  });

  it("refuses a set that would remove a package of the base (dpkg -i cannot)", () => {
    const text =
      "Remv mawk [1.3.4.20200120-3.1]\nInst original-awk (2012-12-20-10 Debian:12.15/oldstable [amd64])\n";
    expect(() => parseAptSimulation(text)).toThrow(/would remove packages: Remv mawk/);
  });
});

describe("percentOfBuildLine", () => {
  it("reads podman build STEP lines", () => {
    expect(percentOfBuildLine("STEP 1/10: FROM x")).toBe(0);
    expect(percentOfBuildLine("STEP 6/10: RUN y")).toBe(50);
    expect(percentOfBuildLine("--> abc")).toBeUndefined();
    expect(percentOfBuildLine("STEP 11/10: odd")).toBeUndefined();
  });
});

describe("selectClawImages", () => {
  it("keeps claw tags only, one entry per tag, newest first", () => {
    const images = selectClawImages([
      {
        Id: "aaa",
        RepoTags: ["docker.io/library/busybox:latest"],
        RepoDigests: [],
        Size: 1,
        Created: 3,
        Labels: {},
      },
      {
        Id: "sha256:bbb",
        RepoTags: ["localhost/claw-openclaw-agent:0123456789abcdef", "localhost/claw-openclaw-agent:latest"],
        RepoDigests: ["localhost/claw-openclaw-agent@sha256:ddd"],
        Size: 800,
        Created: 2,
        Labels: { "claw.image": "openclaw-agent" },
      },
      {
        Id: "ccc",
        RepoTags: ["localhost/claw-base:fedcba9876543210"],
        RepoDigests: [],
        Size: 80,
        Created: 1,
        Labels: {},
      },
    ]);
    expect(images.map((image) => image.ref)).toEqual([
      "localhost/claw-openclaw-agent:0123456789abcdef",
      "localhost/claw-openclaw-agent:latest",
      "localhost/claw-base:fedcba9876543210",
    ]);
    expect(images[0]?.digest).toBe("sha256:ddd");
    expect(images[0]?.id).toBe("sha256:bbb");
    expect(images[2]?.id).toBe("sha256:ccc");
    expect(images[2]?.created.toISOString()).toBe("1970-01-01T00:00:01.000Z");
  });
});
