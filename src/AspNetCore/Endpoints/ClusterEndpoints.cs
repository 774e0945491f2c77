using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TaskFlow.Grains;

namespace TaskFlow.Endpoints;

/// <summary>The cluster as <c>GET /tasks/cluster</c> shows it.</summary>
public sealed record ClusterResponse(IReadOnlyList<SiloResponse> Silos, int SlotsInUse, int MaxConcurrency)
{
    internal static ClusterResponse From(ClusterStatus s) => new([.. s.Silos.Select(SiloResponse.From)], s.SlotsInUse, s.MaxConcurrency);
}

/// <summary>One silo: <c>host</c> is "ip:port" as attempts record it; <c>status</c> is joining, active, shuttingDown,
/// stopping or dead; <c>runningAttempts</c> is null until it has reported.</summary>
public sealed record SiloResponse(
    string Host, string? Name, [property: JsonConverter(typeof(LowercaseEnumConverter<SiloState>))] SiloState Status,
    DateTime StartedAt, DateTime? LastSeenAt, string? Gateway, int? RunningAttempts, bool Draining)
{
    internal static SiloResponse From(SiloEntry s) => new(
        s.Host, s.Name, s.Status, s.StartedAt.UtcDateTime, s.LastSeenAt?.UtcDateTime, s.Gateway, s.RunningAttempts, s.Draining);
}

/// <summary>The cluster endpoint of the admin API.</summary>
internal static class ClusterEndpoints
{
    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/cluster", DescribeAsync).WithName("TaskFlowCluster")
            .WithSummary("The silos: address, status, start, attempts running; and the cluster's slots")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    internal static async Task<Ok<ClusterResponse>> DescribeAsync(IGrainFactory grains, CancellationToken cancellationToken)
        => TypedResults.Ok(ClusterResponse.From(await grains.GetGrain<IClusterStatusGrain>(0).Describe().WaitAsync(cancellationToken)));
}
