import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile-policy";
import { describeEgressRule, explainPolicy, learningWarning } from "./explain-policy";
import { parseTemplate } from "./parse-template";
import { builtinText, testImage } from "./policy-test-fixtures";

/** The coder built-in with its network settings (after `profile: restricted`) replaced by `lines`, compiled. */
function compiledWith(lines: string[]) {
  const text = builtinText("coder")
    .replace(/\n {4}# The github preset.*\n {4}presets: \[github\]\n/, "\n")
    .replace(
      "    profile: restricted\n",
      ["    profile: restricted", ...lines.map((l) => `    ${l}`), ""].join("\n"),
    );
  return compilePolicy({
    template: parseTemplate(text, "t.yaml"),
    agent: "a",
    image: testImage,
    host: { rootless: false, panelPort: 7878 },
  });
}

const explained = (compiled: ReturnType<typeof compiledWith>) => {
  const explanation = explainPolicy(compiled);
  const network = explanation.sections.find((section) => section.title === "Network");
  if (!network) throw new Error("no Network section");
  return { summary: explanation.summary, network, all: JSON.stringify(explanation) };
};

describe("explainPolicy's network section", () => {
  it("says an agent in deny mode is refused any host off its list", () => {
    const { summary, network } = explained(compiledWith(["allow: [api.example.com, registry.test:8443]"]));
    expect(summary).toBe("Reaches only 2 allowlisted hosts, under strict isolation.");
    expect(network.can).toEqual([
      "reach api.example.com (ports 443 and 80) through the panel's egress proxy (enforced; every connection is in the audit log)",
      "reach registry.test:8443 through the panel's egress proxy (enforced; every connection is in the audit log)",
    ]);
    expect(network.cannot[0]).toBe("reach any other host: hosts off the list are refused (egress mode deny)");
    expect(network.warnings).toEqual([]);
  });

  it("explains a spec locked before egress modes existed as deny", () => {
    const compiled = compiledWith(["allow: [api.example.com]"]);
    const { egressProxy } = compiled.containerSpec.network;
    expect(egressProxy).toEqual({ socketDir: "run/egress", listen: "127.0.0.1:3128" });
    // What an old container-spec.json holds: no mode, no presets.
    const old = JSON.parse(JSON.stringify(compiled)) as typeof compiled;
    expect(explained(old).network.cannot).toContain(
      "reach any other host: hosts off the list are refused (egress mode deny)",
    );
  });

  it("says a person is asked live in ask mode, and for how long the connection waits", () => {
    const { summary, network } = explained(
      compiledWith(["mode: ask", "askTimeoutSeconds: 90", "allow: [api.example.com]"]),
    );
    expect(summary).toBe(
      "Reaches 1 allowlisted host, and others only when a person allows them live, under strict isolation.",
    );
    expect(network.can.at(-1)).toBe(
      "reach another host only when a person allows it: a person is asked live about any other host; the connection waits up to 90 s, and is refused if no one answers (egress mode ask)",
    );
    expect(network.cannot.join("\n")).not.toMatch(/hosts off the list are refused/);
    expect(network.cannot).toContain(
      "reach this machine or a private network through any name: the proxy resolves names itself and refuses such addresses",
    );
    expect(explained(compiledWith(["mode: ask"])).summary).toBe(
      "Reaches no host unless a person allows it live, under strict isolation.",
    );
  });

  it("flags learn mode loudly, in the summary and as a warning", () => {
    const { summary, network } = explained(compiledWith(["mode: learn"]));
    expect(learningWarning).toBe(
      "LEARNING: every host is let through and recorded for review — not containment",
    );
    expect(summary).toBe(`${learningWarning}.`);
    expect(network.warnings).toEqual([learningWarning]);
    expect(network.can).toEqual([
      "reach any other host through the panel's egress proxy (enforced; every connection is in the audit log): it is let through and recorded for review (egress mode learn)",
    ]);
    // Learning still never reaches this machine or a private network.
    expect(network.cannot.join("\n")).toMatch(/private network/);
  });

  it("shows presets expanded, each once, and the other rules after them", () => {
    const { network, all } = explained(
      compiledWith([
        "presets: [pypi, github]",
        'allow: ["api.github.com", "GET http://deb.example.org/pool/*"]',
      ]),
    );
    expect(network.can).toEqual([
      "reach github (preset): github.com, *.github.com, *.githubusercontent.com (ports 443 and 80) through the panel's egress proxy (enforced; every connection is in the audit log)",
      "reach pypi (preset): pypi.org, *.pypi.org, files.pythonhosted.org (ports 443 and 80) through the panel's egress proxy (enforced; every connection is in the audit log)",
      "send GET requests to http://deb.example.org/pool/* (plain HTTP only) through the panel's egress proxy (enforced; every connection is in the audit log)",
      "reach api.github.com (ports 443 and 80) through the panel's egress proxy (enforced; every connection is in the audit log)",
    ]);
    expect(all.match(/files\.pythonhosted\.org/g)).toHaveLength(1);
  });

  it("shows only the hosts the lock signed, under a preset whose list changed since", () => {
    const compiled = compiledWith(["presets: [github]"]);
    compiled.containerSpec.network.allow = ["github.com"];
    expect(explained(compiled).network.can).toEqual([
      "reach github (preset): github.com (ports 443 and 80) through the panel's egress proxy (enforced; every connection is in the audit log)",
    ]);
  });

  it.each([
    ["github.com", "github.com (ports 443 and 80)"],
    ["*.example.org:8443", "*.example.org:8443"],
    [
      "GET http://downloads.example.org/*",
      "GET requests to http://downloads.example.org/* (plain HTTP only)",
    ],
    [
      "* http://mirror.test:8080/debian/*",
      "requests of any method to http://mirror.test:8080/debian/* (plain HTTP only)",
    ],
  ])("words the rule %s", (rule, words) => {
    expect(describeEgressRule(rule)).toBe(words);
  });
});
