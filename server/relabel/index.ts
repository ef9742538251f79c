export {
  RELABEL_ACTIONS,
  type RelabelAction,
  type RelabelConfig,
  type RelabelConfigInput,
  type RelabelStep,
  type RelabelValidationOptions,
  RelabelConfigError,
  defaultRelabelConfig,
  makeRelabelConfig,
  parseRelabelAction,
  relabel,
  relabelTrace,
  hashmod,
  LabelsBuilder,
} from "./relabel";
export { expandTemplate, type MatchGroups } from "./expand";
