import "server-only";
import fs from "node:fs/promises";
import { ConfigError, configToYAML, defaultConfig, loadConfig, type Config } from "../config";

/** The configuration in force, and what reloads have done. */
export interface LoadedConfig {
  config: Config;
  /** The file it came from; null for the built-in default. */
  file: string | null;
  /** Unix ms of the last successful load. */
  loadedAt: number;
  /** Whether the last reload attempt succeeded (a failed one leaves `config` in force). */
  lastReloadOk: boolean;
}

/**
 * Reads CONFIG_FILE (a prometheus.yml); without one, the built-in default that
 * scrapes Vigil's own /metrics every 15 s as job "vigil". Throws ConfigError
 * (file, line, column, field) for an invalid file.
 */
export async function readConfig(file: string | undefined, selfTarget: string): Promise<{ config: Config; file: string | null }> {
  if (!file) return { config: defaultConfig(selfTarget), file: null };
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, 0, 0, "", `cannot read configuration: ${(err as Error).message}`);
  }
  return { config: loadConfig(text, file), file };
}

/** The loaded configuration as Prometheus's /api/v1/status/config shows it. */
export function configYAML(c: LoadedConfig): string {
  return configToYAML(c.config);
}
