"use client";

import { type KeyboardEvent, type ReactNode, useRef } from "react";
import { tabKeyTarget } from "@/components/ui";

export type Tab<Id extends string> = { id: Id; label: string };

/**
 * An ARIA tab list: arrow keys, Home and End move between tabs (and select them); only the
 * selected tab is in the tab order. The panel is the caller's, rendered for the selected tab only.
 */
export function Tabs<Id extends string>({
  label,
  tabs,
  selected,
  onSelect,
  children,
}: {
  label: string;
  tabs: Tab<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
  children: ReactNode;
}) {
  const refs = useRef(new Map<Id, HTMLButtonElement>());
  const onKeyDown = (event: KeyboardEvent) => {
    const index = tabs.findIndex((tab) => tab.id === selected);
    const target = tabKeyTarget(tabs, index, event.key);
    if (!target) return;
    event.preventDefault();
    onSelect(target.id);
    refs.current.get(target.id)?.focus();
  };
  return (
    <div>
      <div
        role="tablist"
        aria-label={label}
        onKeyDown={onKeyDown}
        // Scrolls sideways on a narrow screen; the line under the tabs is a shadow, so the selected
        // tab's border covers it without reaching outside the scrolling box.
        className="flex gap-1 overflow-x-auto shadow-[inset_0_-1px_0_0_var(--color-zinc-200)] dark:shadow-[inset_0_-1px_0_0_var(--color-zinc-800)]"
      >
        {tabs.map((tab) => {
          const active = tab.id === selected;
          return (
            <button
              key={tab.id}
              ref={(element) => {
                if (element) refs.current.set(tab.id, element);
                else refs.current.delete(tab.id);
              }}
              type="button"
              role="tab"
              id={`tab-${tab.id}`}
              aria-selected={active}
              aria-controls={active ? `panel-${tab.id}` : undefined}
              tabIndex={active ? 0 : -1}
              onClick={() => onSelect(tab.id)}
              className="shrink-0 whitespace-nowrap border-b-2 border-transparent px-4 py-2 text-sm font-medium text-zinc-600 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 aria-selected:border-emerald-600 aria-selected:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100 dark:aria-selected:text-zinc-100"
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`panel-${selected}`} aria-labelledby={`tab-${selected}`} className="pt-6">
        {children}
      </div>
    </div>
  );
}
