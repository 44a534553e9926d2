"use client";

import type { KeyboardEvent, Ref } from "react";
import { fieldClass } from "@/components/ui";

/** Ctrl+Enter (⌘+Enter on a Mac) sends the form the field is in, as its submit button would. */
function submitOnModEnter(event: KeyboardEvent<HTMLTextAreaElement>) {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
  event.preventDefault();
  event.currentTarget.form?.requestSubmit();
}

/** The prompt for Claude Code: a labelled textarea that submits on Ctrl/⌘+Enter. */
export function PromptField({
  id,
  label,
  value,
  onChange,
  ref,
  rows = 5,
  placeholder,
  disabled,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  ref?: Ref<HTMLTextAreaElement>;
  rows?: number;
  placeholder?: string;
  disabled?: boolean;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        ref={ref}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={submitOnModEnter}
        rows={rows}
        placeholder={placeholder}
        disabled={disabled}
        spellCheck
        aria-describedby={`${id}-help`}
        className={`mt-1 min-h-24 resize-y font-mono ${fieldClass}`}
      />
      <span id={`${id}-help`} className="mt-1 block text-xs text-zinc-500 dark:text-zinc-400">
        Ctrl+Enter (⌘+Enter) sends it.
      </span>
    </div>
  );
}
