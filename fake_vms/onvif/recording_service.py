"""The ONVIF Recording Control service (ver10, trc), read side: the camera's one recording, the
job that records into it, the job's state and the recording's options.

The simulated camera records continuously from power-on, so its one job is always active; the
configuration operations that would change that are not offered (ter:ActionNotSupported).
"""

from __future__ import annotations

from lxml import etree

from fake_vms.onvif.profile_g_common import CameraRecording, seconds_duration
from fake_vms.onvif.registry import ServiceContext
from fake_vms.onvif.soap import Operation, child_text, element, invalid_arg_val, sub
from fake_vms.recording.recorder import VIDEO_TRACK

RETENTION_S = 600.0


class RecordingService:
    """GetRecordings, GetRecordingConfiguration, GetTrackConfiguration, GetRecordingJobs,
    GetRecordingJobConfiguration, GetRecordingJobState, GetRecordingOptions."""

    def __init__(self, context: ServiceContext) -> None:
        self.camera = context.camera
        self.recording = CameraRecording(context)
        self.job_token = f"job-{context.camera.name}"

    def operations(self) -> dict[str, Operation]:
        return {
            "GetServiceCapabilities": self.get_service_capabilities,
            "GetRecordings": self.get_recordings,
            "GetRecordingConfiguration": self.get_recording_configuration,
            "GetTrackConfiguration": self.get_track_configuration,
            "GetRecordingJobs": self.get_recording_jobs,
            "GetRecordingJobConfiguration": self.get_recording_job_configuration,
            "GetRecordingJobState": self.get_recording_job_state,
            "GetRecordingOptions": self.get_recording_options,
        }

    def capabilities(self) -> etree._Element:
        return element(
            "trc:Capabilities",
            DynamicRecordings=False,
            DynamicTracks=False,
            Encoding=self.camera.codec,
            MaxRecordings=1,
            MaxRecordingJobs=1,
            Options=True,
        )

    def get_service_capabilities(self, _request: etree._Element) -> etree._Element:
        response = element("trc:GetServiceCapabilitiesResponse")
        response.append(self.capabilities())
        return response

    def get_recordings(self, _request: etree._Element) -> etree._Element:
        response = element("trc:GetRecordingsResponse")
        if self.recording.current() is None:
            return response
        item = sub(response, "trc:RecordingItem")
        sub(item, "tt:RecordingToken", self.recording.token)
        self._recording_configuration(sub(item, "tt:Configuration"))
        track = sub(sub(item, "tt:Tracks"), "tt:Track")
        sub(track, "tt:TrackToken", VIDEO_TRACK)
        _track_configuration(sub(track, "tt:Configuration"))
        return response

    def get_recording_configuration(self, request: etree._Element) -> etree._Element:
        self._require_recording(request)
        response = element("trc:GetRecordingConfigurationResponse")
        self._recording_configuration(sub(response, "trc:RecordingConfiguration"))
        return response

    def get_track_configuration(self, request: etree._Element) -> etree._Element:
        self._require_recording(request)
        token = child_text(request, "TrackToken")
        if token != VIDEO_TRACK:
            raise invalid_arg_val("NoTrack", f"No track {token!r} in the recording")
        response = element("trc:GetTrackConfigurationResponse")
        _track_configuration(sub(response, "trc:TrackConfiguration"))
        return response

    def get_recording_jobs(self, _request: etree._Element) -> etree._Element:
        response = element("trc:GetRecordingJobsResponse")
        item = sub(response, "trc:JobItem")
        sub(item, "tt:JobToken", self.job_token)
        self._job_configuration(sub(item, "tt:JobConfiguration"))
        return response

    def get_recording_job_configuration(self, request: etree._Element) -> etree._Element:
        token = child_text(request, "JobToken")
        if token != self.job_token:
            raise invalid_arg_val("NoRecordingJob", f"No recording job {token!r}")
        response = element("trc:GetRecordingJobConfigurationResponse")
        self._job_configuration(sub(response, "trc:JobConfiguration"))
        return response

    def _require_recording(self, request: etree._Element) -> None:
        token = child_text(request, "RecordingToken")
        if token != self.recording.token or self.recording.current() is None:
            raise invalid_arg_val("NoRecording", f"No recording with token {token!r}")

    def _recording_configuration(self, configuration: etree._Element) -> None:
        self.recording.source(configuration, "tt:Source")
        sub(configuration, "tt:Content", "continuous recording")
        sub(configuration, "tt:MaximumRetentionTime", seconds_duration(RETENTION_S))

    def _job_configuration(self, configuration: etree._Element) -> None:
        sub(configuration, "tt:RecordingToken", self.recording.token)
        sub(configuration, "tt:Mode", "Active")
        sub(configuration, "tt:Priority", 1)

    def get_recording_job_state(self, request: etree._Element) -> etree._Element:
        token = child_text(request, "JobToken")
        if token != self.job_token:
            raise invalid_arg_val("NoRecordingJob", f"No recording job {token!r}")
        response = element("trc:GetRecordingJobStateResponse")
        state = sub(response, "trc:State")
        sub(state, "tt:RecordingToken", self.recording.token)
        sub(state, "tt:State", "Active")
        return response

    def get_recording_options(self, request: etree._Element) -> etree._Element:
        token = child_text(request, "RecordingToken")
        if token != self.recording.token:
            raise invalid_arg_val("NoRecording", f"No recording with token {token!r}")
        response = element("trc:GetRecordingOptionsResponse")
        options = sub(response, "trc:Options")
        sub(options, "trc:Job", Spare=0, CompatibleSources="")
        sub(options, "trc:Track", SpareTotal=0, SpareVideo=0, SpareAudio=0, SpareMetadata=0)
        return response


def _track_configuration(configuration: etree._Element) -> None:
    sub(configuration, "tt:TrackType", "Video")
    sub(configuration, "tt:Description", "video")
