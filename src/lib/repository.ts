/**
 * @module
 * One key per repository, whatever form its URL takes.
 */

/**
 * Reduces a repository URL to its lower-cased path: scheme, host, user, `.git` and trailing
 * slashes removed.
 *
 * @example
 * repositoryKey("https://github.com/acme/checkout.git") // "acme/checkout"
 * repositoryKey("git@github.com:acme/checkout.git")     // "acme/checkout"
 * repositoryKey("acme/checkout")                        // "acme/checkout"
 */
export function repositoryKey(url: string): string {
  let s = url.trim().toLowerCase();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?[^/]*\/?/.exec(s);
  if (scheme) {
    s = s.slice(scheme[0].length);
  } else {
    const scp = /^[^@/:]+@[^:/]+:/.exec(s);
    if (scp) s = s.slice(scp[0].length);
    else if (/^[^/]+\.[^/]+\//.test(s) && s.split("/").length > 2) s = s.slice(s.indexOf("/") + 1);
  }
  s = s.replace(/[?#].*$/, "").replace(/\/+$/, "").replace(/\.git$/, "").replace(/\/+$/, "");
  return s;
}
