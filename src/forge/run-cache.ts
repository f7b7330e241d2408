/**
 * A list read from the forge once per run and kept in step with our own writes, so that N
 * stacks cost one list call, not N: the drift job upserts or closes an issue per stack, and each
 * would otherwise list every open issue again. A failed read is not remembered.
 */
export class RunCache<T> {
  #items: Promise<T[]> | undefined;
  readonly #load: () => Promise<T[]>;

  constructor(load: () => Promise<T[]>) {
    this.#load = load;
  }

  /** The items, read on first use. */
  list(): Promise<T[]> {
    this.#items ??= this.#load().catch((err: unknown) => {
      this.#items = undefined;
      throw err;
    });
    return this.#items;
  }

  /** Records an item we created. */
  async add(item: T): Promise<void> {
    (await this.list()).push(item);
  }

  /** Drops the items we closed. */
  async remove(gone: (item: T) => boolean): Promise<void> {
    const items = await this.list();
    this.#items = Promise.resolve(items.filter((i) => !gone(i)));
  }

  /** Replaces an item we edited. */
  async replace(old: T, next: T): Promise<void> {
    const items = await this.list();
    this.#items = Promise.resolve(items.map((i) => (i === old ? next : i)));
  }
}
