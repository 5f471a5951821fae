import type { ControlPlane } from '../model.ts';
import { suggest } from './manifests.ts';
import type { Finding } from './violation-at.ts';

const FILE = 'specs/task-routing.yaml';

/** Task entries point at real modules, files and profiles, and every module is reachable. */
export function assertRouting(plane: ControlPlane): Finding[] {
  const out: Finding[] = [];
  const { taskRouting } = plane;
  const profiles = new Set(plane.gateProfiles.profiles.map((p) => p.id));
  const reached = new Set<string>();
  const max = taskRouting.context_policy.max_start_files;

  taskRouting.context_policy.read_first.forEach((p, i) => {
    if (!plane.pathExists(p))
      out.push({
        rule: 'paths-exist',
        file: FILE,
        path: ['context_policy', 'read_first', i],
        message: `read_first entry '${p}' does not exist`,
        fix: 'Point at an existing file.',
      });
  });
  for (const [key, task] of Object.entries(taskRouting.tasks)) {
    const at = ['tasks', key];
    task.modules.forEach((m, i) => {
      if (plane.moduleByName.has(m)) reached.add(m);
      else
        out.push({
          rule: 'references-exist',
          file: FILE,
          path: [...at, 'modules', i],
          message: `task '${key}' names unknown module '${m}'`,
          fix: `Use a declared module (${suggest(
            m,
            plane.modules.map((x) => x.name),
          )}).`,
        });
    });
    for (const list of ['start_with', 'avoid'] as const) {
      task[list].forEach((p, i) => {
        if (!plane.pathExists(p))
          out.push({
            rule: 'paths-exist',
            file: FILE,
            path: [...at, list, i],
            message: `task '${key}' ${list} entry '${p}' does not exist`,
            fix: 'Point at an existing file or directory (a module folder or its module.yaml always exists).',
          });
      });
    }
    if (max !== undefined && task.start_with.length > max) {
      out.push({
        rule: 'context-limit',
        file: FILE,
        path: [...at, 'start_with'],
        message: `task '${key}' lists ${task.start_with.length} start_with entries; the context policy allows ${max}`,
        fix: 'Keep the files that matter most; a bundle should stay small.',
      });
    }
    if (task.gate_profile !== undefined && !profiles.has(task.gate_profile)) {
      out.push({
        rule: 'references-exist',
        file: FILE,
        path: [...at, 'gate_profile'],
        message: `task '${key}' names unknown gate profile '${task.gate_profile}'`,
        fix: `Use one of: ${[...profiles].join(', ')}.`,
      });
    }
  }
  for (const m of plane.modules) {
    if (!reached.has(m.name)) {
      out.push({
        rule: 'module-reachable',
        file: m.manifestFile,
        path: ['name'],
        message: `module '${m.name}' is not owned by any task in specs/task-routing.yaml, so routing can never reach it`,
        fix: `Add '${m.name}' to the modules of a task entry (or a new one) in ${FILE}.`,
      });
    }
  }
  return out;
}
