/**
 * `@sluice/transforms`: Kafka Connect's built-in single message transforms and predicates, with the
 * same class names (canonical ids), short aliases, config keys and semantics. Load the package as a
 * plugin module (`plugins`) or use the classes directly.
 */
export { plugins, predicatePlugins, transformationPlugins } from './plugins.js';
export type { RecordSide } from './internal/sided-transformation.js';
export { TRANSFORMS_VERSION } from './internal/version.js';

// Reshaping the key or value
export { Cast, castConfigSchema, castValue, type CastTargetType } from './reshape/cast.js';
export { ExtractField, extractFieldConfigSchema } from './reshape/extract-field.js';
export { Flatten, flattenConfigSchema } from './reshape/flatten.js';
export { HoistField, hoistFieldConfigSchema } from './reshape/hoist-field.js';
export { InsertField, insertFieldConfigSchema } from './reshape/insert-field.js';
export { MaskField, maskFieldConfigSchema } from './reshape/mask-field.js';
export { ReplaceField, replaceFieldConfigSchema } from './reshape/replace-field.js';
export { SetSchemaMetadata, setSchemaMetadataConfigSchema } from './reshape/set-schema-metadata.js';
export { TimestampConverter, timestampConverterConfigSchema, type TimestampType, type UnixPrecision } from './reshape/timestamp-converter.js';
export { ValueToKey, valueToKeyConfigSchema } from './reshape/value-to-key.js';

// Routing and filtering
export { Filter } from './routing/filter.js';
export { RegexRouter, regexRouterConfigSchema } from './routing/regex-router.js';
export { TimestampRouter, timestampRouterConfigSchema } from './routing/timestamp-router.js';

// Headers
export { DropHeaders, dropHeadersConfigSchema } from './headers/drop-headers.js';
export { HeaderFrom, headerFromConfigSchema, type HeaderFromOperation } from './headers/header-from.js';
export { InsertHeader, insertHeaderConfigSchema } from './headers/insert-header.js';

// Predicates
export { HasHeaderKey, hasHeaderKeyConfigSchema } from './predicates/has-header-key.js';
export { RecordIsTombstone } from './predicates/record-is-tombstone.js';
export { TopicNameMatches, topicNameMatchesConfigSchema } from './predicates/topic-name-matches.js';

// Building blocks: Java regex and date patterns, nested field paths
export { compileJavaRegex, JavaRegexSyntaxError, type JavaRegex } from './regex/java-regex.js';
export { JavaReplacement } from './regex/java-replacement.js';
export { SimpleDateFormat, SimpleDateFormatError } from './time/simple-date-format.js';
export { FieldPathSyntaxError, SingleFieldPath, type FieldSyntaxVersion } from './field/single-field-path.js';
