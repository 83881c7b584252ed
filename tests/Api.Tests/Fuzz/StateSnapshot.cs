using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace OpenDesign.Workflows.Api.Tests.Fuzz;

/// <summary>
/// Everything a request could change, reduced to one comparable value: every row of every table (read through the
/// database file, read-only) and every file and directory under the data root other than the database itself, with its size.
/// </summary>
public static class StateSnapshot
{
    public static string Take(string dataDir)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var summary = new StringBuilder();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "app.sqlite")};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            foreach (var table in Tables(connection))
            {
                using var cmd = connection.CreateCommand();
                cmd.CommandText = $"SELECT * FROM \"{table}\"";
                using var reader = cmd.ExecuteReader();
                var rows = new List<string>();
                while (reader.Read())
                {
                    var row = new StringBuilder();
                    for (var i = 0; i < reader.FieldCount; i++) row.Append(reader.IsDBNull(i) ? "\u0001null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u0002');
                    rows.Add(row.ToString());
                }
                // Row order is not state: sort, so only content counts.
                rows.Sort(StringComparer.Ordinal);
                foreach (var row in rows) hash.AppendData(Encoding.UTF8.GetBytes(row + "\u0003"));
                summary.Append(table).Append('=').Append(rows.Count).Append(' ');
            }
        }
        foreach (var file in Directory.EnumerateFileSystemEntries(dataDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(dataDir, file);
            // The staging directory itself is made on first use; what counts is whether anything is left in it.
            if (name.StartsWith("app.sqlite", StringComparison.Ordinal) || name == "staging") continue;
            var size = File.Exists(file) ? new FileInfo(file).Length : -1;
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\u0002{size}\u0003"));
            summary.Append(name).Append(':').Append(size).Append(' ');
        }
        return $"{Convert.ToHexStringLower(hash.GetHashAndReset())[..16]} {summary}";
    }

    private static List<string> Tables(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = cmd.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }
}
