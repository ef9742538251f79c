import fs from "node:fs";

export interface DirLock {
  readonly path: string;
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(`data directory is in use by another Vigil process (pid ${pid}, lock file ${lockPath})`);
    this.name = "DataDirLockedError";
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * An exclusive lock file holding our pid, created with O_EXCL. A lock left by a
 * process that no longer exists (kill -9, crash) is taken over.
 */
export function acquireDirLock(lockPath: string): DirLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      return {
        path: lockPath,
        release() {
          if (released) return;
          released = true;
          try {
            if (fs.readFileSync(lockPath, "utf8").trim() === String(process.pid)) fs.unlinkSync(lockPath);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number.parseInt(fs.readFileSync(lockPath, "utf8").trim(), 10);
      if (Number.isFinite(pid) && pid !== process.pid && processAlive(pid)) throw new DataDirLockedError(lockPath, pid);
      // Stale (or our own from an earlier open in this process that was not released).
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not acquire lock file ${lockPath}`);
}
