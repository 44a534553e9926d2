import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/root";

type Explanation = inferRouterOutputs<AppRouter>["templates"]["preview"]["explanation"];

export function ExplanationView({ explanation }: { explanation: Explanation }) {
  return (
    <div className="space-y-4 text-sm">
      <p className="font-medium">{explanation.summary}</p>
      {explanation.sections.map((section) => (
        <section key={section.title} aria-label={section.title}>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
            {section.title}
          </h3>
          <ul className="space-y-0.5">
            {section.warnings.map((item) => (
              <li key={`w-${item}`} className="text-amber-700 dark:text-amber-400">
                ⚠ {item}
              </li>
            ))}
            {section.can.map((item) => (
              <li key={`c-${item}`}>
                <span className="text-emerald-700 dark:text-emerald-400">can</span> {item}
              </li>
            ))}
            {section.cannot.map((item) => (
              <li key={`n-${item}`}>
                <span className="text-red-700 dark:text-red-400">cannot</span> {item}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
