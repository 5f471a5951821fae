/**
 * A task and a module → the context package for that work, composed only from the specs: the routing
 * entry, the manifest's contract, the allowed and forbidden neighbours, and the gate with its commands.
 * No fact is written here; every field is read from the plane.
 */
import type { ControlPlane, Module, TaskEntry } from '../control-plane/index.ts';
import { fillCommands, selectGate } from '../gates/index.ts';

export type BundlePlane = Pick<ControlPlane, 'modules' | 'taskRouting' | 'gateProfiles' | 'dependencyRules'>;

export interface BundleRequest {
  readonly task?: string;
  readonly module?: string;
}

/** An unknown task or module (exit code 2); `valid` lists what would have been accepted. */
export class BundleInputError extends Error {
  override readonly name = 'BundleInputError';
  readonly problem: 'unknown-task' | 'unknown-module' | 'missing-input' | 'no-task';
  readonly valid: readonly string[];
  constructor(problem: BundleInputError['problem'], message: string, valid: readonly string[]) {
    super(message);
    this.problem = problem;
    this.valid = valid;
  }
}

const getTaskKeys = (plane: BundlePlane): string[] => Object.keys(plane.taskRouting.tasks).sort();

function resolveTask(
  plane: BundlePlane,
  request: BundleRequest,
  module: Module | undefined,
): [string, TaskEntry] | undefined {
  const tasks = plane.taskRouting.tasks;
  if (request.task !== undefined) {
    const entry = tasks[request.task];
    if (!entry) throw new BundleInputError('unknown-task', `unknown task '${request.task}'`, getTaskKeys(plane));
    return [request.task, entry];
  }
  if (!module) return undefined;
  // Without --task: the task the module is the primary owner of, else one it shares, else its affinity.
  const entries = Object.entries(tasks).sort(([a], [b]) => a.localeCompare(b));
  return (
    entries.find(([, t]) => t.modules[0] === module.name) ??
    entries.find(([, t]) => t.modules.includes(module.name)) ??
    module.manifest.task_affinity?.flatMap((key) => (tasks[key] ? [[key, tasks[key]] as [string, TaskEntry]] : []))[0]
  );
}

function resolveModule(plane: BundlePlane, request: BundleRequest): Module | undefined {
  if (request.module === undefined) return undefined;
  const module = plane.modules.find((m) => m.name === request.module);
  if (!module)
    throw new BundleInputError(
      'unknown-module',
      `unknown module '${request.module}'`,
      plane.modules.map((m) => m.name).sort(),
    );
  return module;
}

function getNeighbours(plane: BundlePlane, module: Module) {
  const m = module.manifest;
  const byName = new Map(plane.modules.map((x) => [x.name, x]));
  const targeted = (rule: BundlePlane['dependencyRules']['rules'][number]): boolean =>
    rule.to_layers !== undefined || rule.to_modules !== undefined;
  const ruleDenied = plane.dependencyRules.rules.flatMap((rule) => {
    if (!targeted(rule) || (rule.from_layers && !rule.from_layers.includes(module.layer))) return [];
    const targets = plane.modules.filter(
      (x) =>
        x !== module && ((rule.to_layers?.includes(x.layer) ?? false) || (rule.to_modules?.includes(x.name) ?? false)),
    );
    return targets.length ? [{ rule: rule.id, summary: rule.summary, modules: targets.map((x) => x.name).sort() }] : [];
  });
  return {
    allowed: {
      modules: m.allowed_imports.modules.map((name) => ({
        name,
        path: byName.get(name)?.path ?? null,
        tier: byName.get(name)?.tier ?? null,
      })),
      packages: m.allowed_imports.packages.map((p) => ({ name: p.name, reason: p.reason })),
      lowerTier: m.allowed_imports.lower_tier ?? [],
    },
    forbidden: {
      modules: m.forbidden_imports ?? [],
      byRule: ruleDenied,
      // Rules that name no target layer or module hold for every import this module makes (default deny, public entry only, …).
      everyImport: plane.dependencyRules.rules
        .filter((rule) => !targeted(rule) && (!rule.from_layers || rule.from_layers.includes(module.layer)))
        .map((rule) => ({ rule: rule.id, summary: rule.summary })),
    },
  };
}

function getGate(plane: BundlePlane, module: Module, task: TaskEntry | undefined) {
  const named =
    task?.gate_profile !== undefined ? plane.gateProfiles.profiles.find((p) => p.id === task.gate_profile) : undefined;
  if (named)
    return {
      profile: named.id,
      strength: named.strength,
      summary: named.summary,
      chosenBy: ['task gate_profile'],
      commands: fillCommands(named.commands, { modules: [module] }),
    };
  // No profile on the task: the gate a behaviour change to one file of this module would get.
  const selection = selectGate(plane, { files: [`${module.path}/change.ts`] });
  const profile = selection.profile!;
  return {
    profile: profile.id,
    strength: profile.strength,
    summary: profile.summary,
    chosenBy: selection.chosenBy,
    commands: selection.commands,
  };
}

/** Composes the bundle; throws BundleInputError for an unknown or missing task/module. */
export function composeBundle(plane: BundlePlane, request: BundleRequest) {
  if (request.task === undefined && request.module === undefined) {
    throw new BundleInputError('missing-input', 'give --task <key>, --module <name> or both', getTaskKeys(plane));
  }
  const requestedModule = resolveModule(plane, request);
  const resolvedTask = resolveTask(plane, request, requestedModule);
  const module = requestedModule ?? plane.modules.find((m) => m.name === resolvedTask?.[1].modules[0]);
  if (!module) {
    throw new BundleInputError(
      'unknown-module',
      `task '${request.task}' names no module that exists; pass --module`,
      plane.modules.map((m) => m.name).sort(),
    );
  }
  const [taskKey, task] = resolvedTask ?? [undefined, undefined];
  const m = module.manifest;
  const warnings =
    task && !task.modules.includes(module.name)
      ? [
          `task '${taskKey}' is owned by ${task.modules.join(', ')}, not ${module.name}; check with plumego route before crossing that boundary`,
        ]
      : [];
  return {
    task: task
      ? {
          key: taskKey as string,
          intent: task.intent,
          modules: task.modules,
          keywords: task.keywords ?? [],
          startWith: task.start_with,
          avoid: task.avoid,
        }
      : null,
    module: {
      name: module.name,
      path: module.path,
      layer: module.layer,
      tier: module.tier,
      owner: m.owner,
      risk: m.risk,
      summary: m.summary,
      manifest: module.manifestFile,
      entry: module.entry,
      implemented: module.implemented,
    },
    contract: {
      responsibilities: m.responsibilities,
      nonGoals: m.non_goals,
      stopConditions: m.stop_conditions ?? [],
      reviewChecklist: m.review_checklist,
      agentHints: m.agent_hints,
      landingZones: m.landing_zones ?? [],
      docPaths: m.doc_paths ?? [],
      publicEntrypoints: m.public_entrypoints,
      testCommands: m.test_commands,
    },
    neighbours: getNeighbours(plane, module),
    gate: getGate(plane, module, task),
    context: plane.taskRouting.context_policy,
    warnings,
  };
}

export type Bundle = ReturnType<typeof composeBundle>;
