import type { Command } from '../io.ts';
import { command as api } from './api.ts';
import { command as bundle } from './bundle.ts';
import { command as check } from './check.ts';
import { command as explain } from './explain.ts';
import { command as gates } from './gates.ts';
import { command as graph } from './graph.ts';
import { command as route } from './route.ts';
import { command as status } from './status.ts';
import { command as sync } from './sync.ts';

/** Every CLI command, in help order. Add a command by importing it here. */
export const COMMANDS: readonly Command[] = [check, explain, graph, status, sync, route, bundle, gates, api];
