/** What a convention adapter sees and does. */
import type { Span } from '../otlp/types';
import type { Convention, Step, StepEvent } from '../model/step';

/** Span attributes flattened to plain JSON values (see otlp/values.ts). */
export type Attrs = Record<string, unknown>;

/** Everything known about one span when it is normalised. */
export interface AdapterInput {
  span: Span;
  attrs: Attrs;
  resource: Attrs;
  scopeName: string;
  /** Span events and correlated log records, oldest first. */
  events: StepEvent[];
}

/** One convention: recognises its spans and fills the step's fields from them. */
export interface Adapter {
  convention: Convention;
  /** True when the span carries this convention's markers. */
  matches(input: AdapterInput): boolean;
  /** Fills kind, model, provider, input, output, tokens… on a step prefilled with the generic fields. */
  apply(input: AdapterInput, step: Step): void;
}
