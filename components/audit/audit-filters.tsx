"use client";

import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { type AuditFilter, categories, outcomes } from "./audit-types";

const fieldClass =
  "w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950 focus:border-emerald-600 focus:outline-none focus:ring-2 focus:ring-emerald-600/30";

const labelClass = "block text-xs font-medium text-zinc-600 dark:text-zinc-400";

/** datetime-local has no zone: read it as local time, send it as UTC. */
function toIso(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

function toLocal(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function Select({
  label,
  name,
  value,
  options,
  onChange,
}: {
  label: string;
  name: string;
  value: string | undefined;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <label className={labelClass}>
      {label}
      <select
        name={name}
        value={value ?? ""}
        onChange={(event) => onChange(event.target.value)}
        className={`mt-1 ${fieldClass}`}
      >
        <option value="">any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AuditFilters({
  filter,
  onChange,
}: {
  filter: AuditFilter;
  onChange: (filter: AuditFilter) => void;
}) {
  const trpc = useTRPC();
  const facets = useQuery(trpc.audit.facets.queryOptions());
  const [text, setText] = useState(filter.text ?? "");
  useEffect(() => setText(filter.text ?? ""), [filter.text]);

  const set = (key: keyof AuditFilter, value: string | undefined) =>
    onChange({ ...filter, [key]: value || undefined });
  const submitText = (event: FormEvent) => {
    event.preventDefault();
    set("text", text.trim());
  };
  const active = Object.values(filter).some(Boolean);
  const selects: [string, "category" | "outcome" | "action" | "actor" | "agent", readonly string[]][] = [
    ["Category", "category", categories],
    ["Outcome", "outcome", outcomes],
    ["Action", "action", facets.data?.actions ?? []],
    ["Actor", "actor", facets.data?.actors ?? []],
    ["Agent", "agent", facets.data?.agents ?? []],
  ];
  const times: [string, "from" | "to"][] = [
    ["From", "from"],
    ["To", "to"],
  ];

  return (
    <search className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-8" aria-label="Filters">
      {selects.map(([label, key, options]) => (
        <Select
          key={key}
          label={label}
          name={key}
          value={filter[key]}
          options={options}
          onChange={(v) => set(key, v)}
        />
      ))}
      {times.map(([label, key]) => (
        <label key={key} className={labelClass}>
          {label}
          <input
            type="datetime-local"
            name={key}
            value={toLocal(filter[key])}
            onChange={(event) => set(key, toIso(event.target.value))}
            className={`mt-1 ${fieldClass}`}
          />
        </label>
      ))}
      <form onSubmit={submitText} className={labelClass}>
        <label htmlFor="audit-text">Text in details</label>
        <div className="mt-1 flex gap-1">
          <input
            id="audit-text"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Enter to search"
            className={fieldClass}
          />
        </div>
      </form>
      {active ? (
        <div className="col-span-full">
          <button
            type="button"
            onClick={() => onChange({})}
            className="text-sm text-emerald-700 underline dark:text-emerald-400"
          >
            Clear filters
          </button>
        </div>
      ) : null}
    </search>
  );
}
