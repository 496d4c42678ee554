/**
 * Apps for template assertions, and synthesis shared between the tests that read the same stack.
 *
 * Every synthesis runs the CDK's built-in CloudFormation validation: a WebAssembly engine that takes
 * about 2 s to start in each process and 0.2 s a template, and whose findings only become warnings.
 * Two places keep it on and assert that its report is empty: nag.test.ts (default props, a KMS key
 * with a Security IR role, the example app with every context value, and a control showing that its
 * findings do reach the report) and the end-to-end test (`cdk synth` of the example app). The test
 * files that read templates for what the construct puts in them turn it off through `testApp()`.
 */
import { App, AppProps } from 'aws-cdk-lib';

/** An App without the built-in CloudFormation validation (asserted in nag.test.ts). */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, builtinCloudFormationValidation: false });
}

/** `make()`, run on the first call only: later calls return the same value. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
