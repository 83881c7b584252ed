using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.Projects;

public sealed class ProjectStore(Database database, SqliteWriter writer, OdOptions options, TimeProvider clock)
{
    public const int MaxNameLength = 200;

    public async Task<Project> CreateAsync(string? name)
    {
        name = string.IsNullOrWhiteSpace(name) ? "Untitled project" : name.Trim();
        if (name.Length > MaxNameLength) throw DomainException.Invalid($"name must be at most {MaxNameLength} characters");
        var id = Ids.NewProjectId();
        var now = clock.GetUtcNow();
        // The directory exists before the row: a project the database knows always has somewhere to put files.
        Directory.CreateDirectory(DirOf(id));
        await writer.ExecuteAsync(ctx =>
        {
            var cmd = ctx.Command("INSERT INTO projects (id, name, created_at) VALUES ($id, $name, $at)")
                .With("$id", id).With("$name", name).With("$at", now.ToDb());
            cmd.ExecuteNonQuery();
        });
        return new Project(id, name, DirOf(id), now);
    }

    public Project? Find(string id)
    {
        if (!Ids.LooksValid(id, "proj_")) return null;
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT id, name, created_at FROM projects WHERE id = $id").With("$id", id);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? new Project(reader.GetString(0), reader.GetString(1), DirOf(reader.GetString(0)), reader.ReadTime(2)) : null;
    }

    public Project Get(string id) =>
        Find(id) ?? throw DomainException.NotFound(ErrorCodes.ProjectNotFound, "project not found");

    public string DirOf(string projectId) => Path.Combine(options.ProjectsDir, projectId);
}
