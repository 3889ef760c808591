import type { ConverterPlugin, HeaderConverterPlugin } from '../plugin.js';
import { byteArrayConverterPlugin, byteArrayHeaderConverterPlugin } from './byte-array-converter.js';
import { jsonConverterPlugin, jsonHeaderConverterPlugin } from './json-converter.js';
import { simpleHeaderConverterPlugin } from './simple-header-converter.js';
import { stringConverterPlugin, stringHeaderConverterPlugin } from './string-converter.js';

/**
 * The converters that ship with core, under Kafka Connect's class names as canonical ids plus short
 * aliases. A class that is both a converter and a header converter (JsonConverter, StringConverter,
 * ByteArrayConverter — as in Kafka Connect) has one entry of each type.
 */
export const builtinConverterPlugins: readonly (ConverterPlugin | HeaderConverterPlugin)[] = Object.freeze([
  jsonConverterPlugin,
  stringConverterPlugin,
  byteArrayConverterPlugin,
  jsonHeaderConverterPlugin,
  stringHeaderConverterPlugin,
  byteArrayHeaderConverterPlugin,
  simpleHeaderConverterPlugin,
]);
