import { chooseTestServer } from '../support/test-server-choice.js';

describe('chooseTestServer', () => {
  const runtime = (answers: boolean) => {
    const probe = () => {
      probe.calls += 1;
      return Promise.resolve(answers);
    };
    probe.calls = 0;
    return probe;
  };

  it('uses TEST_DATABASE_URL first, without asking for a container runtime', async () => {
    const probe = runtime(true);
    await expect(chooseTestServer({ TEST_DATABASE_URL: 'postgres://x/y' }, probe)).resolves.toBe(
      'url',
    );
    expect(probe.calls).toBe(0);
  });

  it('uses testcontainers when no URL is given and a container runtime answers', async () => {
    await expect(chooseTestServer({}, runtime(true))).resolves.toBe('testcontainers');
  });

  it('falls back to embedded PostgreSQL when no container runtime answers', async () => {
    await expect(chooseTestServer({}, runtime(false))).resolves.toBe('embedded');
  });

  it('ignores a blank TEST_DATABASE_URL', async () => {
    await expect(chooseTestServer({ TEST_DATABASE_URL: ' ' }, runtime(false))).resolves.toBe(
      'embedded',
    );
  });
});
