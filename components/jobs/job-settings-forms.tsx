"use client";

import { Card } from "@/components/ui";
import type { JobSettingsView } from "./job-types";
import { CredentialsForm } from "./settings/credentials-form";
import { ModelApiForm } from "./settings/model-api-form";
import { SecretForm } from "./settings/secret-form";
import { WebhookForm } from "./settings/webhook-form";

/**
 * Every job setting; each form saves on its own and starts from what was saved when the page
 * loaded. Secrets are only ever written, never shown.
 */
export function JobSettingsForms({ settings }: { settings: JobSettingsView }) {
  return (
    <div className="space-y-6">
      <Card title="Model API">
        <ModelApiForm settings={settings} />
      </Card>
      <Card title="Credentials">
        <div className="space-y-6">
          {settings.apiKeySet && settings.credentialsSet ? (
            <p role="note" className="text-sm text-zinc-600 dark:text-zinc-400">
              Both are set: jobs use the API key.
            </p>
          ) : null}
          <SecretForm settings={settings} secret="apiKey" />
          <CredentialsForm settings={settings} />
        </div>
      </Card>
      <Card title="Notification">
        <div className="space-y-6">
          <WebhookForm settings={settings} />
          <SecretForm settings={settings} secret="webhookToken" />
        </div>
      </Card>
    </div>
  );
}
