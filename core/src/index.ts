export * from './errors/connect-error.js';
export * from './logger.js';
export * from './data/schema.js';
export * from './record/record.js';
export * from './connector/connector.js';
export * from './connector/task.js';
export * from './config/config-schema.js';
export * from './config/validate.js';
export * from './converter/converter.js';
export * from './transform/transformation.js';
export * from './plugin.js';

// Data API
export { SchemaBuilder, Schemas, schemaEquals } from './data/schema-builder.js';
export { Struct, isStruct } from './data/struct.js';
export { Decimal, DateLogical, Time, Timestamp, isDecimalValue, type DecimalValue } from './data/logical.js';
export { validateValue, inferSchema, valueEquals, asOptional } from './data/values.js';

// Converters
export {
  JsonConverter,
  jsonConverterConfigSchema,
  jsonConverterPlugin,
  jsonHeaderConverterPlugin,
  type DecimalFormat,
} from './converter/json-converter.js';
export {
  StringConverter,
  stringConverterConfigSchema,
  stringConverterPlugin,
  stringHeaderConverterPlugin,
  STRING_CONVERTER_ENCODINGS,
} from './converter/string-converter.js';
export {
  ByteArrayConverter,
  byteArrayConverterPlugin,
  byteArrayHeaderConverterPlugin,
} from './converter/byte-array-converter.js';
export { SimpleHeaderConverter, simpleHeaderConverterPlugin } from './converter/simple-header-converter.js';
export { builtinConverterPlugins } from './converter/builtin-converters.js';
export { valueToText, type ParsedText } from './converter/value-text.js';
export { parseValueText } from './converter/parse-value-text.js';
export { javaDoubleToString, javaFloatToString } from './converter/java-number.js';
