import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { COMMON_TEMPLATE, TEMPLATES, type TemplateInfo } from './catalog.ts';
import { ScaffoldError } from './errors.ts';
import { readPlumegoPackage, type PlumegoPackage } from './package-info.ts';
import { readTemplateLayers, renderFiles, TEMPLATE_ROOT } from './render-template.ts';
import { writeNewFiles } from './write-files.ts';

export interface ScaffoldOptions {
  /** Target directory (absolute); it must not exist or be empty. */
  readonly dir: string;
  /** Template name (default `standard`). */
  readonly template?: string;
  /** Package name (default: the directory's name). */
  readonly name?: string;
  /** The `plumego` dependency written into package.json (default `^<running version>`). */
  readonly plumegoSpec?: string;
  /** Release date in specs/releases.yaml (default: today, UTC). */
  readonly date?: string;
  /** For tests: the package whose versions and exports are used. */
  readonly pkg?: PlumegoPackage;
  readonly templateRoot?: string;
}

export interface ScaffoldResult {
  readonly template: TemplateInfo;
  readonly name: string;
  readonly files: readonly string[];
}

/** npm's rules for an unscoped name, narrowed so the name is also safe inside YAML and TS strings. */
const NAME = /^[a-z][a-z0-9-]{0,213}$/;

export function assertProjectName(name: string): string {
  if (!NAME.test(name) || name.endsWith('-')) {
    throw new ScaffoldError(
      'PLUMEGO_SCAFFOLD_BAD_NAME',
      `'${name}' is not a usable package name (lowercase letters, digits and '-', starting with a letter; pass --name)`,
    );
  }
  return name;
}

export function resolveTemplate(name: string, pkg: PlumegoPackage): TemplateInfo {
  const template = TEMPLATES.find((t) => t.name === name);
  if (!template)
    throw new ScaffoldError(
      'PLUMEGO_SCAFFOLD_UNKNOWN_TEMPLATE',
      `unknown template '${name}' (use one of: ${TEMPLATES.map((t) => t.name).join(', ')})`,
    );
  const missing = template.requires.filter((sub) => !pkg.exports.includes(sub));
  if (missing.length)
    throw new ScaffoldError(
      'PLUMEGO_SCAFFOLD_TEMPLATE_UNAVAILABLE',
      `template '${name}' needs plumego${missing.map((m) => m.slice(1)).join(', plumego')}, which this plumego ${pkg.version} does not export`,
    );
  return template;
}

/** Writes a new project from a template; refuses a non-empty directory without writing anything. */
export function scaffoldProject(options: ScaffoldOptions): ScaffoldResult {
  const pkg = options.pkg ?? readPlumegoPackage();
  const name = assertProjectName(options.name ?? basename(options.dir));
  const template = resolveTemplate(options.template ?? 'standard', pkg);
  if (existsSync(options.dir) && readdirSync(options.dir).length > 0) {
    throw new ScaffoldError(
      'PLUMEGO_SCAFFOLD_EXISTS',
      `${options.dir} is not empty; plumego new only writes into a new or empty directory`,
    );
  }
  const vars: Record<string, string> = {
    name,
    template: template.name,
    date: options.date ?? new Date().toISOString().slice(0, 10),
    plumegoSpec: options.plumegoSpec ?? `^${pkg.version}`,
  };
  for (const [dep, version] of Object.entries(pkg.versions)) vars[`version:${dep}`] = version;
  const raw = readTemplateLayers(
    [COMMON_TEMPLATE, ...(template.extends ?? []), template.name],
    options.templateRoot ?? TEMPLATE_ROOT,
  );
  for (const path of template.omit ?? []) raw.delete(path);
  const files = writeNewFiles(options.dir, renderFiles(raw, vars));
  return { template, name, files };
}
