import { IConstruct } from 'constructs';

/**
 * A prop that breaks one of the construct's rules, in aws-cdk-lib's idiom (`ValidationError(message,
 * scope)`): the message starts with the prop's name and the error carries the path of the construct
 * that refused it, so an app with several watchers shows which one.
 */
export class ValidationError extends Error {
  /** The path of the construct whose prop was refused, e.g. `MyStack/CaseWatcher`. */
  public readonly constructPath: string;

  constructor(message: string, scope: IConstruct) {
    super(message);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
  }
}
