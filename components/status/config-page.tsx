"use client";

import type { ConfigResult } from "@/components/api/types/config";
import { useSuspenseApiQuery } from "@/components/api/use-api-query";
import { CopyButton } from "@/components/ui/copy-button";

/** /config: the loaded configuration as YAML, with a copy button. */
export function ConfigView() {
  const { data } = useSuspenseApiQuery<ConfigResult>("/api/v1/status/config");
  const yaml = data.data.yaml;
  return (
    <div className="config">
      <div className="toolbar" style={{ justifyContent: "space-between" }}>
        <span className="muted small-text">
          The running configuration, with defaults filled in. Reload it with <code>POST /-/reload</code> or SIGHUP.
        </span>
        <CopyButton text={yaml} label="Copy YAML" />
      </div>
      <pre className="code config-block" data-testid="config-yaml">
        {yaml}
      </pre>
    </div>
  );
}
