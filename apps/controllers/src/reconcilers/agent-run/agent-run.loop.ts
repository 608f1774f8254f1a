import { parse, type ParseResult } from '@marcbachmann/cel-js';

/** Where the runner writes a loop's control JSON when the step names no path (REFERENCE §3.2). */
export const DEFAULT_LOOP_CONTROL_PATH = '/workspace/.agentrun/loop-control.json';

/** What a loop condition sees: `iteration.index`, `.maxIterations`, `.last.phase`, `.last.control`. */
export interface LoopBindings {
  index: number;
  maxIterations: number;
  last: { phase: string; control: unknown };
}

const compiled = new Map<string, ParseResult>();

/** The parsed expression, or the parser's message (first line) when it is not valid CEL. */
export function compileLoopCondition(expression: string): ParseResult | string {
  const hit = compiled.get(expression);
  if (hit) return hit;
  try {
    const program = parse(expression);
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(expression, program);
    return program;
  } catch (err) {
    return firstLine(err);
  }
}

/** Whether the loop goes on: the expression's bool, or why it could not give one. */
export function evaluateLoopCondition(
  expression: string,
  bindings: LoopBindings,
): { continue: boolean } | { error: string } {
  const program = compileLoopCondition(expression);
  if (typeof program === 'string') return { error: program };
  let value: unknown;
  try {
    value = program({
      iteration: {
        index: BigInt(bindings.index),
        maxIterations: BigInt(bindings.maxIterations),
        last: bindings.last,
      },
    });
  } catch (err) {
    return { error: firstLine(err) };
  }
  if (typeof value !== 'boolean') return { error: `the condition returned ${typeOf(value)}, not a bool` };
  return { continue: value };
}

/**
 * The control JSON of a finished iteration: the Job's loop-control annotation (REFERENCE §3.2: the control object
 * itself, or an object keyed by the source path) when something set it, else what the runner read from the control
 * file and handed back in its terminal status. `missing` when there is none, `invalid` when it is not a JSON object.
 */
export function loopControlOf(
  annotation: string | undefined,
  runner: { loopControl?: unknown; loopControlError?: string } | undefined,
  path: string,
): { kind: 'control'; control: Record<string, unknown> } | { kind: 'missing' } | { kind: 'invalid'; why: string } {
  let value: unknown = runner?.loopControl;
  if (annotation === undefined && runner?.loopControlError) return { kind: 'invalid', why: runner.loopControlError };
  if (annotation !== undefined) {
    try {
      value = JSON.parse(annotation);
    } catch {
      return { kind: 'invalid', why: 'the loop-control annotation is not JSON' };
    }
  }
  if (value === undefined || value === null) return { kind: 'missing' };
  if (typeof value !== 'object' || Array.isArray(value))
    return { kind: 'invalid', why: `the loop control is ${typeOf(value)}, not a JSON object` };
  const keyed = (value as Record<string, unknown>)[path];
  if (keyed !== undefined) {
    if (typeof keyed !== 'object' || keyed === null || Array.isArray(keyed))
      return { kind: 'invalid', why: `the loop control under ${path} is ${typeOf(keyed)}, not a JSON object` };
    return { kind: 'control', control: keyed as Record<string, unknown> };
  }
  return { kind: 'control', control: value as Record<string, unknown> };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'bigint') return 'an int';
  return typeof v === 'object' || typeof v === 'undefined' ? `an ${typeof v}` : `a ${typeof v}`;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim();
}
