export {
  BundleInputError,
  composeBundle,
  type Bundle,
  type BundlePlane,
  type BundleRequest,
} from './compose-bundle.ts';
export { formatBundle, type BundleFormat } from './render-bundle.ts';
