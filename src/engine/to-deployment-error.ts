import { classify } from '../core/classify.ts';
import {
  type DeploymentError,
  ERROR_CATALOGUE,
  isHyperdeployError,
  type Step,
} from '../core/errors.ts';
import type { Status } from '../core/status.ts';
import type { Redactor } from '../logging/redact.ts';

const STEP_OF_STATUS: Partial<Record<Status, Step>> = {
  pending: 'compiling',
  compiling: 'compiling',
  compiled: 'estimating_gas',
  estimating_gas: 'estimating_gas',
  submitting: 'submitting',
  submitted: 'submitted',
  confirming: 'confirming',
  confirmed: 'verifying',
  verifying: 'verifying',
};

/** Any thrown value as the structured error a deployment carries; secrets removed. */
export function toDeploymentError(
  error: unknown,
  status: Status,
  attempt: number,
  redact: Redactor,
): DeploymentError {
  const step = STEP_OF_STATUS[status] ?? 'resume';
  if (isHyperdeployError(error)) {
    const structured = error.toDeploymentError(step, attempt);
    return { ...structured, message: redact(structured.message), hint: redact(structured.hint) };
  }
  const { code, message } = classify(error);
  const entry = ERROR_CATALOGUE[code];
  return {
    code,
    message: redact(message),
    hint: entry.hint,
    retryable: entry.retryable,
    step,
    attempt,
  };
}
