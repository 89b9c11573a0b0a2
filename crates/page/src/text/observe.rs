//! A second pair of eyes on the text pass: an observer sees every path, glyph run and image
//! of a page as the text collector does, in the same interpreter run and under the same
//! limits (the collector counts the operations and stops the page; the observer only
//! records). Field detection uses it to read a page's lines and boxes.

use hayro_interpret::font::GlyphRun;
use hayro_interpret::kurbo::{Affine, BezPath, Rect, Shape};
use hayro_interpret::{
    BlendMode, ClipPath, Device, DrawMode, DrawProps, Image, ImageDrawProps, SoftMask,
};
use hayro_syntax::object::Dict;
use hayro_syntax::page::Page;

use super::collect::Collector;

/// Sees a page's drawing operations. Coordinates are the page's default user space (the
/// interpreter starts from the identity).
pub(crate) trait PageObserver {
    /// Page `index` starts (called for every page asked, also those not interpreted).
    fn begin_page(&mut self, index: usize, page: &Page<'_>);
    /// A filled and/or stroked path.
    fn draw_path(&mut self, path: &BezPath, props: &DrawProps<'_>, mode: &DrawMode);
    /// A run of glyphs (text).
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, '_>, props: &DrawProps<'_>, mode: &DrawMode);
    /// An image of `width` × `height` samples, drawn through `transform` (which maps its
    /// sample grid onto the page).
    fn draw_image(&mut self, transform: Affine, width: u32, height: u32);
}

/// Observes nothing (plain text extraction).
pub(crate) struct NoObserver;

impl PageObserver for NoObserver {
    fn begin_page(&mut self, _: usize, _: &Page<'_>) {}
    fn draw_path(&mut self, _: &BezPath, _: &DrawProps<'_>, _: &DrawMode) {}
    fn draw_glyph_run(&mut self, _: &GlyphRun<'_, '_>, _: &DrawProps<'_>, _: &DrawMode) {}
    fn draw_image(&mut self, _: Affine, _: u32, _: u32) {}
}

/// The device of an observed pass: the text collector first (it enforces the limits), then
/// the observer.
pub(crate) struct Observed<'c, 'f, 'a> {
    pub collector: &'c mut Collector<'f, 'a>,
    pub observer: &'c mut dyn PageObserver,
}

impl<'a> Device<'a> for Observed<'_, '_, 'a> {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, mode: &DrawMode) {
        self.observer.draw_path(path, &props, mode);
        self.collector.draw_path(path, props, mode);
    }

    fn draw_rect(&mut self, rect: &Rect, props: DrawProps<'a>, mode: &DrawMode) {
        let path = rect.to_path(0.1);
        self.observer.draw_path(&path, &props, mode);
        self.collector.draw_path(&path, props, mode);
    }

    fn push_clip_path(&mut self, clip: &ClipPath) {
        self.collector.push_clip_path(clip);
    }

    fn push_transparency_group(
        &mut self,
        opacity: f32,
        mask: Option<SoftMask<'a>>,
        blend: BlendMode,
    ) {
        self.collector.push_transparency_group(opacity, mask, blend);
    }

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, mode: &DrawMode) {
        self.observer.draw_glyph_run(run, &props, mode);
        self.collector.draw_glyph_run(run, props, mode);
    }

    fn draw_image(&mut self, image: Image<'a, '_>, props: ImageDrawProps<'a>) {
        self.observer
            .draw_image(props.transform, image.width(), image.height());
        self.collector.draw_image(image, props);
    }

    fn pop_clip(&mut self) {
        self.collector.pop_clip();
    }

    fn pop_transparency_group(&mut self) {
        self.collector.pop_transparency_group();
    }

    fn begin_marked_content(&mut self, tag: &[u8], properties: Option<&Dict<'_>>) {
        self.collector.begin_marked_content(tag, properties);
    }

    fn end_marked_content(&mut self) {
        self.collector.end_marked_content();
    }
}
