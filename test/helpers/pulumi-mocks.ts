import * as pulumi from '@pulumi/pulumi';

/** A resource the mocked engine was asked to create. */
export interface MockedResource {
  type: string;
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: mocked resource inputs are whatever each program passes.
  inputs: Record<string, any>;
}

/**
 * Sets Pulumi's mocks (unit tests of programs only: they prove nothing about the driver) and
 * config, and records every resource the program registers.
 */
export async function mockPulumi(project: string, stack: string, config: Record<string, unknown>): Promise<MockedResource[]> {
  const created: MockedResource[] = [];
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
  );
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        created.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === 'aws:s3/bucket:Bucket') state.arn = `arn:aws:s3:::${args.name}-bucket`;
        return { id: `${args.name}-id`, state };
      },
      call: () => ({}),
    },
    project,
    stack,
    false,
  );
  return created;
}

/** The value of an Output, in a test. */
export function outputValue<T>(output: pulumi.Output<T> | T): Promise<T> {
  return new Promise((resolve) => (pulumi.Output.isInstance(output) ? (output as pulumi.Output<T>).apply(resolve) : resolve(output as T)));
}

/** Lets every pending registration reach the mocks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
}
