// Commander option parsers: a bad value is reported as "option '<flag>' argument '<value>' is invalid. <expected>".
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/settings.js';

export interface KeyValue {
  key: string;
  value: string;
}

/** Parses `key=value` (the value may hold '=' and be empty). */
export function parseKeyValue(text: string): KeyValue {
  const i = text.indexOf('=');
  const key = i < 0 ? '' : text.slice(0, i).trim();
  if (!key) throw new InvalidArgumentError('expected key=value, e.g. branch=main');
  return { key, value: text.slice(i + 1) };
}

/** For repeatable `key=value` options: collects pairs, refusing a key given twice. */
export function collectKeyValue(text: string, previous: KeyValue[] | undefined): KeyValue[] {
  const kv = parseKeyValue(text);
  if (previous?.some((p) => p.key === kv.key)) throw new InvalidArgumentError(`key '${kv.key}' is given twice`);
  return [...(previous ?? []), kv];
}

/** For repeatable options: collects the values. */
export function collect(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), text];
}

export function durationOption(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 30s, 500ms, 2m or 1h');
  return ms;
}

const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei|[eE][+-]?\d+)?$/;

/** A Kubernetes resource quantity: 500m, 2, 1.5, 512Mi, 2Gi. */
export function quantityOption(text: string): string {
  if (!QUANTITY.test(text.trim())) {
    throw new InvalidArgumentError('expected a Kubernetes quantity such as 500m, 2, 512Mi or 2Gi');
  }
  return text.trim();
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** An object name (DNS-1123 subdomain). */
export function nameOption(text: string): string {
  if (text.length > 253 || !NAME.test(text)) {
    throw new InvalidArgumentError("expected a Kubernetes name (lowercase letters, digits, '-' and '.')");
  }
  return text;
}

const SELECTOR = /^\s*!?[A-Za-z0-9][-A-Za-z0-9_./]*(\s*(=|==|!=)\s*[-A-Za-z0-9_.]*|\s+(in|notin)\s+\([^)]*\))?\s*$/;

/** A label selector such as `app=demo,tier!=db,env in (a,b),!legacy`. */
export function selectorOption(text: string): string {
  const parts = text.split(/,(?![^(]*\))/);
  if (!text.trim() || parts.some((p) => !SELECTOR.test(p))) {
    throw new InvalidArgumentError('expected a label selector such as app=demo,tier!=db');
  }
  return text.trim();
}

export function eventIdOption(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected an event id (a whole number)');
  return Number(text.trim());
}
