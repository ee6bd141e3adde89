// The zod schema of the bridge's options, built from their one description (common/bridge-options.ts):
// each option's type, bounds and default become a validator, so what --help prints is what is enforced.
import { z } from 'zod';
import { BRIDGE_OPTIONS, type BridgeOptionKey, type OptionSpec } from '../../common/bridge-options.js';
import { parseRate } from '../policy/rate-limit.js';

/** A comma list, given once (env, or one flag) or repeated (flags); blanks dropped. */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));

const flagBoolean = z.union([z.boolean(), z.stringbool()]);

function withDefault<T extends z.ZodType>(schema: T, value: z.input<T> | undefined) {
  return value === undefined ? schema.optional() : schema.default(value as never);
}

export function optionSchema(option: OptionSpec): z.ZodType {
  switch (option.type) {
    case 'int': {
      const int = z.coerce.number().int().min(option.min);
      return withDefault(option.max === undefined ? int : int.max(option.max), option.default);
    }
    case 'boolean':
      return flagBoolean.default(false);
    case 'string':
      return withDefault(option.nonEmpty === true ? z.string().min(1) : z.string(), option.default);
    case 'url':
      return z.url({ protocol: /^https?$/ }).optional();
    case 'enum':
      return z.enum(option.values).default(option.default as never);
    case 'list':
      return list.default([]);
    case 'rate':
      return z
        .string()
        .refine((v) => parseRate(v) !== undefined, { message: 'a rate is N/s, N/m or N/h with N > 0, e.g. 60/m' })
        .optional();
  }
}

/**
 * Every option, plus the server command (the positionals after `--`). Its output type is
 * BridgeOptionValues by construction (the same description drives both; bridge/cli/options.test.ts checks
 * the defaults and kinds), which zod cannot infer from a schema built in a loop.
 */
export const configSchema = z.object({
  ...(Object.fromEntries(Object.entries(BRIDGE_OPTIONS).map(([key, option]) => [key, optionSchema(option)])) as Record<BridgeOptionKey, z.ZodType>),
  command: z.array(z.string()),
});
