// Why a file could not be opened, in words a user acts on, with the system's code for searching.
const REASONS: Record<string, string> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a folder on its path is a file',
  ELOOP: 'its symbolic links form a loop',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many files are open',
};

export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return String((error as Error | undefined)?.message ?? error);
  const reason = REASONS[code];
  return reason ? `${reason} (${code})` : code;
}
