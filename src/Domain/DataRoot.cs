namespace OpenDesign.Workflows.Domain;

/// <summary>
/// Open Design's data-root rule: OD_DATA_DIR, else &lt;projectRoot&gt;/.od, with projectRoot = OD_PROJECT_ROOT or
/// the working directory. ~, $HOME and ${HOME} expand; relative paths anchor to projectRoot, not to the cwd.
/// </summary>
public static class DataRoot
{
    public static string Resolve(string? dataDir, string? projectRoot, string workingDirectory, string? home)
    {
        var root = string.IsNullOrWhiteSpace(projectRoot)
            ? workingDirectory
            : Anchor(Expand(projectRoot.Trim(), home), workingDirectory);
        return string.IsNullOrWhiteSpace(dataDir)
            ? Path.GetFullPath(Path.Combine(root, ".od"))
            : Anchor(Expand(dataDir.Trim(), home), root);
    }

    /// <summary>Creates the directory and proves it writable; the message names the path and the cause so an operator can fix it.</summary>
    public static void EnsureWritable(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The data directory '{dir}' is not writable ({e.Message}). Set OD_DATA_DIR to a writable directory.", e);
        }
    }

    private static string Expand(string path, string? home)
    {
        if (string.IsNullOrEmpty(home)) return path;
        if (path == "~") return home;
        if (path.StartsWith("~/", StringComparison.Ordinal)) return Path.Combine(home, path[2..]);
        return path.Replace("${HOME}", home, StringComparison.Ordinal).Replace("$HOME", home, StringComparison.Ordinal);
    }

    private static string Anchor(string path, string baseDir) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path));
}
