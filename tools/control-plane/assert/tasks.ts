import type { ControlPlane } from '../model.ts';
import { findDuplicates, type Finding } from './violation-at.ts';

/** Cards and milestones agree with their folders, file names and the rest of the plane. */
export function assertTasks(plane: ControlPlane): Finding[] {
  const out: Finding[] = [];
  const milestoneIds = new Set(plane.milestones.map((m) => m.id));
  const taskKeys = new Set(Object.keys(plane.taskRouting.tasks));
  for (const card of plane.cards) {
    const f = card.file;
    const stem = f
      .split('/')
      .pop()!
      .replace(/\.ya?ml$/, '');
    if (card.folder !== 'template') {
      if (card.status !== card.folder)
        out.push({
          rule: 'card-status-folder',
          file: f,
          path: ['status'],
          message: `card ${card.id} has status '${card.status}' but sits in cards/${card.folder}/`,
          fix: `Move the file to tasks/cards/${card.status}/ or set status: ${card.folder}.`,
        });
      if (stem !== card.id)
        out.push({
          rule: 'card-id-file',
          file: f,
          path: ['id'],
          message: `card id '${card.id}' does not match its file name '${stem}'`,
          fix: `Rename the file to ${card.id}.yaml.`,
        });
      if (!milestoneIds.has(card.milestone))
        out.push({
          rule: 'references-exist',
          file: f,
          path: ['milestone'],
          message: `card ${card.id} names unknown milestone '${card.milestone}'`,
          fix: 'Use a milestone id from tasks/milestones/.',
        });
    }
    card.modules.forEach((m, i) => {
      if (!plane.moduleByName.has(m))
        out.push({
          rule: 'references-exist',
          file: f,
          path: ['modules', i],
          message: `card ${card.id} names unknown module '${m}'`,
          fix: 'Use a declared module name.',
        });
    });
    if (card.task !== undefined && !taskKeys.has(card.task))
      out.push({
        rule: 'references-exist',
        file: f,
        path: ['task'],
        message: `card ${card.id} names unknown task '${card.task}'`,
        fix: 'Use a task key from specs/task-routing.yaml.',
      });
  }
  for (const id of findDuplicates(plane.cards.filter((c) => c.folder !== 'template').map((c) => c.id))) {
    const file = plane.cards.filter((c) => c.id === id)[1]!.file;
    out.push({
      rule: 'unique-ids',
      file,
      path: ['id'],
      message: `card id '${id}' is used by more than one card`,
      fix: 'Give the card the next free id.',
    });
  }
  for (const ms of plane.milestones) {
    if (ms.file.startsWith('tasks/templates/')) continue;
    const stem = ms.file
      .split('/')
      .pop()!
      .replace(/\.ya?ml$/, '');
    if (stem !== ms.id)
      out.push({
        rule: 'card-id-file',
        file: ms.file,
        path: ['id'],
        message: `milestone id '${ms.id}' does not match its file name '${stem}'`,
        fix: `Rename the file to ${ms.id}.yaml.`,
      });
  }
  return out;
}
