import type { Command } from '../io.ts';
import { command as check } from './check.ts';
import { command as status } from './status.ts';
import { command as sync } from './sync.ts';

/** Every CLI command, in help order. Add a command by importing it here. */
export const COMMANDS: readonly Command[] = [check, status, sync];
