import type { PredicatePlugin, TransformationPlugin } from '@sluice/core';
import { dropHeadersPlugin } from './headers/drop-headers.js';
import { headerFromPlugins } from './headers/header-from.js';
import { insertHeaderPlugin } from './headers/insert-header.js';
import { hasHeaderKeyPlugin } from './predicates/has-header-key.js';
import { recordIsTombstonePlugin } from './predicates/record-is-tombstone.js';
import { topicNameMatchesPlugin } from './predicates/topic-name-matches.js';
import { castPlugins } from './reshape/cast.js';
import { extractFieldPlugins } from './reshape/extract-field.js';
import { flattenPlugins } from './reshape/flatten.js';
import { hoistFieldPlugins } from './reshape/hoist-field.js';
import { insertFieldPlugins } from './reshape/insert-field.js';
import { maskFieldPlugins } from './reshape/mask-field.js';
import { replaceFieldPlugins } from './reshape/replace-field.js';
import { setSchemaMetadataPlugins } from './reshape/set-schema-metadata.js';
import { timestampConverterPlugins } from './reshape/timestamp-converter.js';
import { valueToKeyPlugin } from './reshape/value-to-key.js';
import { filterPlugin } from './routing/filter.js';
import { regexRouterPlugin } from './routing/regex-router.js';
import { timestampRouterPlugin } from './routing/timestamp-router.js';

/** Every built-in transformation, `$Key` before `$Value`, in Kafka Connect's alphabetical order. */
export const transformationPlugins: readonly TransformationPlugin[] = Object.freeze([
  ...castPlugins,
  dropHeadersPlugin,
  ...extractFieldPlugins,
  filterPlugin,
  ...flattenPlugins,
  ...headerFromPlugins,
  ...hoistFieldPlugins,
  ...insertFieldPlugins,
  insertHeaderPlugin,
  ...maskFieldPlugins,
  regexRouterPlugin,
  ...replaceFieldPlugins,
  ...setSchemaMetadataPlugins,
  ...timestampConverterPlugins,
  timestampRouterPlugin,
  valueToKeyPlugin,
]);

/** Every built-in predicate. */
export const predicatePlugins: readonly PredicatePlugin[] = Object.freeze([hasHeaderKeyPlugin, recordIsTombstonePlugin, topicNameMatchesPlugin]);

/** What the worker loads from this package (`PluginModule.plugins`): all transformations and predicates. */
export const plugins: readonly (TransformationPlugin | PredicatePlugin)[] = Object.freeze([...transformationPlugins, ...predicatePlugins]);
