import { errorFromResponse, isClockSkewError, SecurityIrError } from '../../lambda/security-ir-errors';

const NOW = Date.parse('2026-11-23T09:00:00Z');

function response(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, headers: new Headers(headers), body: typeof body === 'string' ? body : JSON.stringify(body) };
}

describe('errorFromResponse: where the type comes from', () => {
  test('x-amzn-errortype, the part before ":"', () => {
    const error = errorFromResponse(response(429, { message: 'Rate exceeded' }, {
      'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/',
    }), NOW);
    expect(error).toMatchObject({ type: 'ThrottlingException' });
    expect(error.message).toBe('Rate exceeded');
  });

  test("the header wins over the body's __type", () => {
    const error = errorFromResponse(response(400, { __type: 'ValidationException' }, {
      'x-amzn-errortype': 'SecurityIncidentResponseNotActiveException',
    }), NOW);
    expect(error).toMatchObject({ type: 'SecurityIncidentResponseNotActiveException' });
  });

  test('the body\'s __type without its namespace', () => {
    const error = errorFromResponse(response(400, { __type: 'com.amazonaws.securityir#ValidationException', message: 'bad' }), NOW);
    expect(error).toMatchObject({ type: 'ValidationException' });
  });

  test("the body's code", () => {
    expect(errorFromResponse(response(400, { code: 'SecurityIncidentResponseNotActiveException' }), NOW))
      .toMatchObject({ type: 'SecurityIncidentResponseNotActiveException' });
  });

  test.each([
    [402, 'ServiceQuotaExceededException'],
    [403, 'AccessDeniedException'],
    [404, 'ResourceNotFoundException'],
    [409, 'ConflictException'],
    [423, 'InvalidTokenException'],
    [429, 'ThrottlingException'],
    [500, 'InternalServerException'],
  ])('by status %d when nothing names the type (e.g. a proxy page)', (status, type) => {
    const error = errorFromResponse(response(status, '<html>error</html>'), NOW);
    expect(error.type).toBe(type);
    expect(error.statusCode).toBe(status);
  });

  test('a 400 without a type is not guessed (two types share it)', () => {
    const error = errorFromResponse(response(400, ''), NOW);
    expect(error).toBeInstanceOf(SecurityIrError);
    expect(error.type).toBe('UnknownError');
    expect(error.retryable).toBe(false);
  });

  test.each([
    [502, true, false],
    [503, true, false],
    [429, true, true],
    [401, false, false],
  ])('an unknown type with status %d: retryable %s, throttling %s', (status, retryable, throttling) => {
    const error = errorFromResponse(response(status, { message: 'm' }, { 'x-amzn-errortype': 'SomethingNewException' }), NOW);
    expect(error.constructor).toBe(SecurityIrError);
    expect(error.type).toBe('SomethingNewException');
    expect(error.name).toBe('SomethingNewException');
    expect([error.retryable, error.throttling]).toEqual([retryable, throttling]);
  });
});

describe('errorFromResponse: details', () => {
  test('keeps Retry-After, the request id and the Date header; not the members nobody reads', () => {
    const error = errorFromResponse(response(429, { message: 'slow down', serviceCode: 'security-ir', quotaCode: 'L-1', extra: 7 }, {
      'x-amzn-errortype': 'ThrottlingException',
      'retry-after': '3',
      'x-amzn-requestid': 'req-1',
      date: 'Mon, 23 Nov 2026 09:00:00 GMT',
    }), NOW);
    expect(error).toMatchObject({
      type: 'ThrottlingException', statusCode: 429, retryable: true, throttling: true, retryAfterSeconds: 3,
      requestId: 'req-1',
    });
    expect(error).not.toHaveProperty('serviceCode');
    expect(error).not.toHaveProperty('fields');
    expect(error.responseDate?.toISOString()).toBe('2026-11-23T09:00:00.000Z');
  });

  test('the message falls back to the status', () => {
    expect(errorFromResponse(response(503, ''), NOW).message).toMatch(/HTTP 503/);
  });
});

describe('isClockSkewError', () => {
  const rejection = (type: string, message: string) =>
    errorFromResponse(response(403, { message }, { 'x-amzn-errortype': type }), NOW);

  test('an expired or not-yet-current signature is clock skew', () => {
    expect(isClockSkewError(rejection('InvalidSignatureException', 'Signature expired: 20261123T090000Z is now earlier than ...'))).toBe(true);
    expect(isClockSkewError(rejection('InvalidSignatureException', 'Signature not yet current: ...'))).toBe(true);
    expect(isClockSkewError(rejection('RequestTimeTooSkewed', 'The difference is too large'))).toBe(true);
  });

  test('a wrong signature or a denied request is not', () => {
    expect(isClockSkewError(rejection('InvalidSignatureException', 'The request signature we calculated does not match'))).toBe(false);
    expect(isClockSkewError(rejection('AccessDeniedException', 'Signature expired'))).toBe(false);
  });
});
