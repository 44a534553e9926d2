import { isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import type { ZodError } from "zod";
import { AppError } from "../errors";
import { type Template, templateSchema } from "./template-schema";

export type TemplateProblem = { source: string; line: number; column: number; path: string; message: string };

export class TemplateError extends AppError {
  readonly problems: TemplateProblem[];
  constructor(problems: TemplateProblem[]) {
    super("BAD_REQUEST", problems.map(formatProblem).join("\n"));
    this.problems = problems;
  }
}

export function formatProblem(problem: TemplateProblem): string {
  const where = `${problem.source}:${problem.line}:${problem.column}`;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/**
 * Parses a claw/v1 template. Every problem, YAML or schema, names the file, line and column
 * (the closest node that exists when the problem is a missing key).
 */
export function parseTemplate(text: string, source: string): Template {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    throw new TemplateError(
      doc.errors.map((error) => {
        const { line, col } = at(error.pos[0]);
        return { source, line, column: col, path: "", message: error.message.split("\n")[0] ?? "YAML error" };
      }),
    );
  }
  const parsed = templateSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  throw new TemplateError(problemsOf(parsed.error, doc, at, source));
}

function problemsOf(
  error: ZodError,
  doc: ReturnType<typeof parseDocument>,
  at: (offset: number) => { line: number; col: number },
  source: string,
): TemplateProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    // An unknown key is reported at the key itself.
    if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    // Walk up until a node exists: a missing key is reported at its parent.
    let offset = 0;
    for (let depth = path.length; depth >= 0; depth--) {
      const parent = depth > 0 ? doc.getIn(path.slice(0, depth - 1), true) : undefined;
      const key = isMap(parent)
        ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === path[depth - 1])?.key
        : undefined;
      const node = isScalar(key) ? key : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        offset = node.range[0];
        break;
      }
    }
    const { line, col } = at(offset);
    return { source, line, column: col, path: path.join("."), message: issue.message };
  });
}
