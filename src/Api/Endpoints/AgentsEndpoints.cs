using Microsoft.AspNetCore.Http.HttpResults;
using OpenDesign.Workflows.Api.Agents;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Agents;
using OpenDesign.Workflows.Domain.Projects;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary><c>GET /api/agents</c> and <c>GET /api/runs/{id}/prompt</c>: the configured agents, and the prompt a run's agent is (or would be) given.</summary>
internal static class AgentsEndpoints
{
    public static void MapAgents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Agents");
        group.MapGet(ApiRoutes.Agents.Collection, ListAgents)
            .Describe(nameof(ListAgents), "List the configured agents a run can launch (ids and commands; never their environment)");
        group.MapGet(ApiRoutes.Runs.Prompt, GetPrompt)
            .Describe(nameof(GetPrompt), "The prompt composed for a run's agent: its message and the media contract of its mode")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain").Refuses(404);
    }

    /// <summary>Ids, command names and arguments; never an agent's configured environment.</summary>
    internal static Ok<AgentList> ListAgents(AgentSupervisor supervisor) => TypedResults.Ok(new AgentList(supervisor.List()));

    /// <summary>
    /// The composed prompt as plain text, exactly what the agent gets on stdin and in <c>OD_PROMPT_FILE</c>, for an
    /// orchestrator that runs its own agent.
    /// </summary>
    internal static ContentHttpResult GetPrompt(string id, RunStore runs, ProjectStore projects)
    {
        var run = runs.Get(id);
        var project = projects.Get(run.ProjectId);
        var text = PromptComposer.ForRun(run, project);
        return TypedResults.Text(text, "text/plain; charset=utf-8");
    }
}
