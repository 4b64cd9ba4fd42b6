import type { SchemaElement } from 'hyparquet';
import type { DeltaField, DeltaType } from './schema.js';

// Delta columns as Parquet schema elements, with the logical types readers need to see
// map<string,…>, list<string> and timestamp[us, UTC] (Delta requires isAdjustedToUTC=true):
// maps as MAP/key_value/{key,value} and lists as LIST/list/element, the standard layouts.

type Repetition = 'REQUIRED' | 'OPTIONAL';

export function stringElement(name: string, repetition: Repetition = 'OPTIONAL'): SchemaElement {
  return {
    name,
    type: 'BYTE_ARRAY',
    converted_type: 'UTF8',
    logical_type: { type: 'STRING' },
    repetition_type: repetition,
  };
}

/** A MAP or LIST group: the annotated group, its repeated group, then the leaves. */
function nestedElements(
  name: string,
  kind: 'MAP' | 'LIST',
  repetition: Repetition,
  repeated: string,
  leaves: SchemaElement[],
): SchemaElement[] {
  return [
    {
      name,
      repetition_type: repetition,
      converted_type: kind,
      logical_type: { type: kind },
      num_children: 1,
    },
    { name: repeated, repetition_type: 'REPEATED', num_children: leaves.length },
    ...leaves,
  ];
}

/** A `map<string, value>` column. */
export function mapElements(
  name: string,
  value: SchemaElement,
  repetition: Repetition = 'OPTIONAL',
): SchemaElement[] {
  return nestedElements(name, 'MAP', repetition, 'key_value', [
    stringElement('key', 'REQUIRED'),
    value,
  ]);
}

/** A `list<string>` column. */
export function stringListElements(
  name: string,
  repetition: Repetition = 'OPTIONAL',
): SchemaElement[] {
  return nestedElements(name, 'LIST', repetition, 'list', [stringElement('element')]);
}

export function longElement(name: string, repetition: Repetition = 'OPTIONAL'): SchemaElement {
  return { name, type: 'INT64', repetition_type: repetition };
}

function columnElements(type: DeltaType, name: string, repetition: Repetition): SchemaElement[] {
  switch (type) {
    case 'string':
      return [stringElement(name, repetition)];
    case 'long':
      return [longElement(name, repetition)];
    case 'integer':
      return [{ name, type: 'INT32', repetition_type: repetition }];
    case 'double':
      return [{ name, type: 'DOUBLE', repetition_type: repetition }];
    case 'boolean':
      return [{ name, type: 'BOOLEAN', repetition_type: repetition }];
    case 'timestamp':
      return [
        {
          name,
          type: 'INT64',
          repetition_type: repetition,
          converted_type: 'TIMESTAMP_MICROS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
        },
      ];
    case 'map<string,string>':
      return mapElements(name, stringElement('value'), repetition);
    case 'map<string,double>':
      return mapElements(
        name,
        { name: 'value', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        repetition,
      );
    case 'array<string>':
      return stringListElements(name, repetition);
  }
}

/** The Parquet schema of a data file holding `fields`. */
export function dataFileSchema(fields: readonly Required<DeltaField>[]): SchemaElement[] {
  return [
    { name: 'schema', num_children: fields.length },
    ...fields.flatMap((f) => columnElements(f.type, f.name, f.nullable ? 'OPTIONAL' : 'REQUIRED')),
  ];
}
