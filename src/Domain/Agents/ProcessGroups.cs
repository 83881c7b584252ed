using System.Runtime.InteropServices;

namespace OpenDesign.Workflows.Domain.Agents;

/// <summary>
/// Signals a whole process group. .NET can kill a process tree it can see, but a tree whose middle process has exited
/// is no longer visible as a tree; every agent is started as the leader of its own session and group (through
/// <c>setsid</c>), so <c>kill(-pgid)</c> reaches everything it started that did not leave the group on purpose.
/// </summary>
public static partial class ProcessGroups
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    private const int ESRCH = 3;

    /// <summary>True when the signal was sent, false when the group has no process left.</summary>
    public static bool Signal(int groupId, int signal)
    {
        if (groupId <= 1) throw new ArgumentOutOfRangeException(nameof(groupId), "refusing to signal process group 0 or 1");
        if (Kill(-groupId, signal) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == ESRCH ? false : throw new InvalidOperationException($"kill(-{groupId}, {signal}) failed with errno {errno}");
    }

    /// <summary>
    /// Whether any live process is left in the group. Read from <c>/proc</c> rather than with signal 0, which also
    /// counts zombies: an orphan whose new parent has not reaped it yet is dead, and waiting on it would spend the
    /// whole grace period for nothing.
    /// </summary>
    public static bool Exists(int groupId) => Members(groupId).Count > 0;

    /// <summary>The live (not zombie) processes of a group, from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    public static IReadOnlyList<int> Members(int groupId)
    {
        var members = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so fields count from the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 2 && fields[0] != "Z" && fields[0] != "X" && int.TryParse(fields[2], out var group) && group == groupId) members.Add(pid);
        }
        return members;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
