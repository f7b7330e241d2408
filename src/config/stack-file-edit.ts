import { isMap, parseDocument } from 'yaml';

/**
 * Sets `config.<key>` (and, when given, `encryptionSalt`) in a stack file's text, keeping its
 * comments, order and formatting elsewhere. A secret is written `{secure: v1:...}`, as in a
 * Pulumi.<stack>.yaml. Pure.
 */
export function setConfigInText(text: string, key: string, value: string | { secure: string }, salt?: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
  if (!isMap(doc.contents)) throw new Error('the file is not a YAML map');
  if (salt !== undefined && !doc.has('encryptionSalt')) doc.set('encryptionSalt', salt);
  if (doc.get('config') == null) doc.set('config', doc.createNode({}));
  const config = doc.get('config');
  if (!isMap(config)) throw new Error('config: is not a map');
  config.set(key, doc.createNode(value));
  return doc.toString();
}
