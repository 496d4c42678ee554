import { resolveEndpoint } from '../../lambda/endpoints';

const DEFAULT = 'https://security-ir.us-east-1.api.aws';

describe('resolveEndpoint', () => {
  test('uses the default without overrides', () => {
    expect(resolveEndpoint('SECURITY_IR', DEFAULT, {})).toBe(DEFAULT);
  });

  test('uses AWS_ENDPOINT_URL_<SERVICE_ID>', () => {
    expect(resolveEndpoint('SECURITY_IR', DEFAULT, { AWS_ENDPOINT_URL_SECURITY_IR: 'http://127.0.0.1:4000' }))
      .toBe('http://127.0.0.1:4000');
  });

  test('uses AWS_ENDPOINT_URL when no service-specific variable is set', () => {
    expect(resolveEndpoint('SECURITY_IR', DEFAULT, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4001' })).toBe('http://127.0.0.1:4001');
  });

  test('the service-specific variable wins over AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4001', AWS_ENDPOINT_URL_SECURITY_IR: 'http://127.0.0.1:4000' };
    expect(resolveEndpoint('SECURITY_IR', DEFAULT, env)).toBe('http://127.0.0.1:4000');
  });

  test("another service's variable is ignored", () => {
    expect(resolveEndpoint('SECURITY_IR', DEFAULT, { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4002' })).toBe(DEFAULT);
  });

  test('accepts the SDK service id as written ("Security IR")', () => {
    expect(resolveEndpoint('Security IR', DEFAULT, { AWS_ENDPOINT_URL_SECURITY_IR: 'http://127.0.0.1:4000' }))
      .toBe('http://127.0.0.1:4000');
  });

  test('empty or blank variables count as unset', () => {
    expect(resolveEndpoint('SECURITY_IR', DEFAULT, { AWS_ENDPOINT_URL_SECURITY_IR: ' ', AWS_ENDPOINT_URL: '' })).toBe(DEFAULT);
  });

  test('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns the overrides off', () => {
    const env = { AWS_ENDPOINT_URL_SECURITY_IR: 'http://127.0.0.1:4000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    expect(resolveEndpoint('SECURITY_IR', DEFAULT, env)).toBe(DEFAULT);
  });

  test('reads process.env by default', () => {
    const saved = process.env.AWS_ENDPOINT_URL_SOME_TEST_SERVICE;
    process.env.AWS_ENDPOINT_URL_SOME_TEST_SERVICE = 'http://127.0.0.1:4003';
    try {
      expect(resolveEndpoint('SOME_TEST_SERVICE', DEFAULT)).toBe('http://127.0.0.1:4003');
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SOME_TEST_SERVICE;
      else process.env.AWS_ENDPOINT_URL_SOME_TEST_SERVICE = saved;
    }
  });
});
